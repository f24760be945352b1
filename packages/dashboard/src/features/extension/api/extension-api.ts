import { api } from '../../../lib/api-client';

/** A one-time code (60 s) that signs the extension in as the signed-in user. */
export async function createConnectCode(): Promise<string> {
  const data = await api.post('/api/auth/connect-codes');
  return data.code;
}
