/**
 * The zod every schema is written with: zod/mini, whose schemas carry no methods beyond parsing, so a
 * bundle holds only the parts its schemas use (zod's classic build, methods and all, took about 90 KB of
 * each API bundle and 8 ms of its cold start). Mini loads no messages of its own; English is set here,
 * once, before any module that imports `z` from this file can parse.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };
