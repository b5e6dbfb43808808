// Telling the agent the phone rings (issue 9 item 4): a ring tone made with Web Audio (no sound file), a
// browser notification when the tab is hidden, and a flashing tab title. All stop when the ringing stops.

const RING_ON_MS = 1000;
const RING_CYCLE_MS = 3000;

let audio = null;
let ringTimer = null;
let titleTimer = null;
let notification = null;
const baseTitle = document.title;

/** Browsers start audio only after a user gesture: the first click on the page unlocks it. */
export function unlockAudioOnFirstGesture() {
  const unlock = () => {
    try {
      audio ??= new AudioContext();
      if (audio.state === 'suspended') audio.resume();
    } catch {
      // No Web Audio: the title and the notification still tell the agent.
    }
  };
  window.addEventListener('pointerdown', unlock, { once: true });
  window.addEventListener('keydown', unlock, { once: true });
}

/** One burst of the two-tone ring (440 Hz + 480 Hz, like a Chinese phone's ring-back) for RING_ON_MS. */
function burst() {
  if (audio?.state !== 'running') return;
  const gain = audio.createGain();
  gain.gain.value = 0.08;
  gain.connect(audio.destination);
  const stopAt = audio.currentTime + RING_ON_MS / 1000;
  for (const hz of [440, 480]) {
    const osc = audio.createOscillator();
    osc.frequency.value = hz;
    osc.connect(gain);
    osc.start();
    osc.stop(stopAt);
  }
}

/** Starts every ringing cue; `caller` (masked for agents) is what the notification shows. */
export function startRinging(caller) {
  stopRinging();
  document.body.dataset.ringing = 'true';
  burst();
  ringTimer = setInterval(burst, RING_CYCLE_MS);
  let on = false;
  titleTimer = setInterval(() => {
    on = !on;
    document.title = on ? `【来电】${caller} · 坐席工作台` : baseTitle;
  }, 700);
  document.title = `【来电】${caller} · 坐席工作台`;
  if (document.hidden && 'Notification' in window) {
    const show = () => {
      notification = new Notification('12345 热线来电', { body: `来电号码 ${caller}，请接听`, tag: 'hotline-ringing' });
      notification.onclick = () => window.focus();
    };
    if (Notification.permission === 'granted') show();
    else if (Notification.permission === 'default')
      Notification.requestPermission().then((p) => p === 'granted' && show());
  }
}

export function stopRinging() {
  clearInterval(ringTimer);
  clearInterval(titleTimer);
  ringTimer = null;
  titleTimer = null;
  notification?.close();
  notification = null;
  document.title = baseTitle;
  delete document.body.dataset.ringing;
}

/** Asks for notification permission from a click (browsers refuse it otherwise). */
export function askNotificationPermission() {
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission();
}

/** mm:ss (or h:mm:ss) of a duration in ms. */
export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
