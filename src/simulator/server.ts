import type { SimulatorHandle, SimulatorOptions } from './types.ts';

/** Starts the simulator (HTTP + WebSocket ARI, control API). Implementation lands in the next commits. */
export async function startSimulator(_opts: SimulatorOptions): Promise<SimulatorHandle> {
  throw new Error('PBX simulator: not implemented yet (signature commit)');
}
