import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';

/** @internal */
export interface RouterOptions {
  httpAuth: HttpAuthService;
}

/**
 * The /api/bluegreen routes. Every route needs user or service credentials: the
 * httpRouter's default auth policy rejects anonymous calls, and each handler asks
 * for the credentials it accepts so that a later change of policy cannot open it.
 * @internal
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth } = options;
  const router = Router();
  router.use(express.json());

  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok' });
  });

  return router;
}
