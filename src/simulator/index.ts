export type {
  SimulatorOptions,
  SimulatorHandle,
  SimulatorEngineApi,
  SimulatorControl,
  SimulatorFaults,
  LeakReport,
  PhoneBehaviour,
  CallerStep,
  PlaceCallRequest,
  PlacedCall,
  CallLogEntry,
  EngineOriginateRequest,
} from './types.ts';
export * from './engine-events.ts';
export { startSimulator } from './server.ts';
export { projectSoundsDir, type SoundsDir } from './sounds.ts';
export {
  ASTERISK_22_TIMING,
  parseTiming,
  type SimulatorTiming,
  type LatencySpec,
  type EventOrderSpec,
  type RouteTiming,
} from './timing.ts';
