import type { Options } from 'yargs';
import { defaultFor, flagOf, optionNames, optionSpec, type Command, type OptionName } from '../src/config/options.js';

/**
 * The yargs options of one command, made from the option table. Required options are checked
 * by `optionsFrom` in the command's handler (so `simclr ablate merge` is not asked for --data),
 * and marked in the help text.
 */
export function yargsOptions(command: Command, except: readonly OptionName[] = []): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const name of optionNames(command)) {
    if (except.includes(name)) continue;
    const spec = optionSpec(name);
    const help = spec.helpFor?.[command] ?? spec.help;
    const fallback = defaultFor(name, command);
    out[flagOf(name)] = {
      type: spec.type,
      ...(spec.array && { array: true }),
      ...(spec.choices && { choices: spec.choices as string[] }),
      ...(fallback !== undefined && { default: fallback }),
      describe: spec.required?.[command] ? `${help} (required)` : help,
    };
  }
  return out;
}
