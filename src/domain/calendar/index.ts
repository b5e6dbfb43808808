export * from './civil-date.ts';
export * from './year-schedule.ts';
export * from './working-calendar.ts';
export * from './shipped-calendar.ts';
