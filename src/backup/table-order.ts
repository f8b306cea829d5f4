/** "`child` has a foreign key to `parent`": the parent's rows must exist first. */
export interface ForeignKeyEdge {
  child: string;
  parent: string;
}

/**
 * The tables ordered so that every table comes after the tables it references
 * (Kahn's algorithm; among tables free to go, the given order is kept). Edges to
 * tables outside the set and self-references are ignored; a cycle is an error,
 * since rows could then be inserted in no order.
 */
export function dependencyOrder(tables: readonly string[], edges: ForeignKeyEdge[]): string[] {
  const inSet = new Set(tables);
  const parents = new Map(tables.map((table) => [table, new Set<string>()]));
  for (const { child, parent } of edges)
    if (child !== parent && inSet.has(child) && inSet.has(parent)) parents.get(child)!.add(parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.find(
      (table) => !placed.has(table) && [...parents.get(table)!].every((p) => placed.has(p)),
    );
    if (!next) {
      const left = tables.filter((table) => !placed.has(table));
      throw new Error(`foreign keys form a cycle among ${left.join(', ')}`);
    }
    ordered.push(next);
    placed.add(next);
  }
  return ordered;
}

/** The edges an order breaks (a table placed before a table it references). */
export function orderViolations(
  order: readonly string[],
  edges: ForeignKeyEdge[],
): ForeignKeyEdge[] {
  const position = new Map(order.map((table, index) => [table, index]));
  return edges.filter(({ child, parent }) => {
    const c = position.get(child);
    const p = position.get(parent);
    return child !== parent && c !== undefined && p !== undefined && p > c;
  });
}
