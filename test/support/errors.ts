/** The GatewayError a promise rejects with; fails the test if it resolves or throws anything else. */
import { GatewayError } from '../../gateway/errors.ts';

export async function gatewayErrorOf(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}
