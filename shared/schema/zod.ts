/**
 * The zod every schema is written with: zod/mini, whose schemas carry no methods beyond parsing, so a
 * bundle holds only the parts its schemas use (zod's classic build, methods and all, took about 90 KB of
 * each API bundle and 8 ms of its cold start). Mini loads no messages of its own; English is set here,
 * once, before any module that imports this one can parse.
 *
 * Import it as a namespace (`import * as z from '…/schema/zod.ts'`): esbuild then keeps only the members
 * used. Re-exported as one object, the whole of zod/mini would be kept in every bundle.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
