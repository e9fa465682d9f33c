/**
 * Loading correlator plugins by module path: what `--plugin PATH` does, in the main thread (to
 * fail fast with a usage error) and again in every shard worker (correlators are code, which
 * cannot be posted to a thread: each worker imports the module and gets its own instances).
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Correlator } from '../correlate/api.js'

/** A plugin module that cannot be loaded or does not export correlators; the message says which and why. */
export class PluginError extends Error {
  override name = 'PluginError'
}

function isCorrelator (c: unknown): c is Correlator {
  return c !== null && typeof c === 'object' && typeof (c as Correlator).name === 'string' && typeof (c as Correlator).onEvent === 'function'
}

/**
 * Imports each module once and returns a factory of its correlators: a module's default export
 * is a correlator, an array of them, or a function returning either. A function is called on
 * every call of the factory, so each engine (a worker thread's, a JetStream partition's) gets
 * fresh instances; a plain export is the same instances every time. The factory is called once
 * here, so that a bad export fails now. Only the paths given are loaded.
 * @throws {@link PluginError} naming the path
 */
export async function loadCorrelatorFactory (paths: readonly string[]): Promise<() => Correlator[]> {
  const makers: Array<() => Correlator[]> = []
  for (const path of paths) {
    let mod: { default?: unknown }
    try {
      mod = await import(pathToFileURL(resolve(path)).href) as { default?: unknown }
    } catch (err) {
      throw new PluginError(`cannot load plugin ${path}: ${(err as Error).message}`)
    }
    const value = mod.default
    const check = (v: unknown): Correlator[] => {
      const list: unknown[] = Array.isArray(v) ? v : [v]
      if (!list.every(isCorrelator)) {
        throw new PluginError(`plugin ${path}: its default export must be a correlator ({ name, onEvent }), an array of them, or a function returning either`)
      }
      return list as Correlator[]
    }
    if (typeof value === 'function') {
      const make = value as () => unknown
      makers.push(() => check(make()))
    } else {
      const shared = check(value)
      makers.push(() => shared)
    }
  }
  const factory = (): Correlator[] => makers.flatMap(m => m())
  factory()
  return factory
}

/**
 * Imports each module and returns its correlators (see {@link loadCorrelatorFactory}; function
 * exports are called, so each caller gets fresh instances).
 * @throws {@link PluginError} naming the path
 */
export async function loadCorrelatorModules (paths: readonly string[]): Promise<Correlator[]> {
  return (await loadCorrelatorFactory(paths))()
}
