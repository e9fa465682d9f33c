/**
 * Lists that detector state keeps per key and that nearly always stay short: a pair's ports, a
 * sweep's first contacts and samples (98,726 of 98,735 port-scan pairs on the bench's conn.log
 * see one port). `[]` then `push` reserves room for 17 elements; these lists start as one
 * shared empty list and are made with their first element instead.
 */

/** The empty list new state starts with, shared. Frozen: a push onto it would throw. */
export const EMPTY_LIST = Object.freeze([]) as unknown as never[]

/** `list` with `item` appended: the same list, or a new one of one element when it was empty. */
export function appended<T> (list: T[] | undefined, item: T): T[] {
  if (list === undefined || list.length === 0) return [item]
  list.push(item)
  return list
}
