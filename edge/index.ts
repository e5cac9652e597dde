import { app } from './app.ts';

export { AccountDO } from './accounts/account-do.ts';
export { PoolDO } from './pool/pool-do.ts';
export default app;
