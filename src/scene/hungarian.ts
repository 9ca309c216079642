// Minimum-cost assignment (Kuhn 1955; Munkres 1957), in the O(n²·m) shortest-augmenting-path
// form with row and column potentials: rows are added one at a time and each is joined by a
// Dijkstra-like search over reduced costs, as in Jonker & Volgenant (1987), "A shortest
// augmenting path algorithm for dense and sparse linear assignment problems", Computing 38.
// The code follows the well-known compact formulation by A. Lopatin (e-maxx.ru, "Hungarian
// algorithm for the assignment problem", O(n²m) version). Buffers grow once and are reused, so
// a solve allocates nothing.

/** Cost of a forbidden pair: larger than any sum of allowed costs the callers build (≤ 2 each). */
export const FORBIDDEN = 1e6;

export class HungarianSolver {
  private u = new Float64Array(0);
  private v = new Float64Array(0);
  private minv = new Float64Array(0);
  private p = new Int32Array(0);
  private way = new Int32Array(0);
  private used = new Uint8Array(0);
  private transposed = new Float64Array(0);
  private result = new Int32Array(0);
  private assigned = new Int32Array(0);
  private parent = new Int32Array(0);
  private groupStart = new Int32Array(0);
  private order = new Int32Array(0);
  private group = new Float64Array(0);

  /**
   * Assigns rows to columns at minimum total cost. `cost` is row-major, rows × cols (either may
   * be larger). Returns an Int32Array whose first `rows` entries give each row's column, or −1
   * for a row left over when rows > cols; it is reused by the next solve. Every row (or every
   * column, when there are fewer) is assigned, forbidden pairs included: callers drop the pairs
   * whose cost is ≥ FORBIDDEN, which makes the answer the cheapest among the assignments with
   * the most allowed pairs.
   */
  solve(cost: Float64Array, rows: number, cols: number): Int32Array {
    if (this.result.length < rows) this.result = new Int32Array(Math.max(rows, 2 * this.result.length));
    const result = this.result;
    result.fill(-1, 0, rows);
    if (rows === 0 || cols === 0) return result;
    if (rows <= cols) {
      this.run(cost, rows, cols);
      for (let j = 1; j <= cols; j++) if (this.p[j]! !== 0) result[this.p[j]! - 1] = j - 1;
      return result;
    }
    // More rows than columns: solve the transpose (columns become rows).
    if (this.transposed.length < rows * cols) this.transposed = new Float64Array(Math.max(rows * cols, 2 * this.transposed.length));
    const t = this.transposed;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = cost[i * cols + j]!;
    this.run(t, cols, rows);
    for (let j = 1; j <= rows; j++) if (this.p[j]! !== 0) result[j - 1] = this.p[j]! - 1;
    return result;
  }

  /**
   * Like solve, but only allowed pairs (cost < FORBIDDEN) are ever given: a row left without
   * one gets −1. The rows and columns are first split into groups that no allowed pair links
   * (union-find over the allowed pairs), and each group is solved on its own — the same optimum,
   * much faster when a gate leaves each track a few candidates. Returns a reused Int32Array.
   */
  assign(cost: Float64Array, rows: number, cols: number): Int32Array {
    const nodes = rows + cols;
    if (this.assigned.length < rows) this.assigned = new Int32Array(Math.max(rows, 2 * this.assigned.length));
    if (this.parent.length < nodes) {
      const size = Math.max(nodes, 2 * this.parent.length);
      this.parent = new Int32Array(size);
      this.groupStart = new Int32Array(size + 1);
      this.order = new Int32Array(size);
    }
    const { assigned, parent, groupStart, order } = this;
    assigned.fill(-1, 0, rows);
    for (let i = 0; i < nodes; i++) parent[i] = i;
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]!]!;
        i = parent[i]!;
      }
      return i;
    };
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (cost[r * cols + c]! >= FORBIDDEN) continue;
        const a = find(r);
        const b = find(rows + c);
        if (a !== b) parent[a] = b;
      }
    }
    // Bucket the nodes by root: groupStart[root]..groupStart[root + 1] in `order`, rows before columns.
    groupStart.fill(0, 0, nodes + 1);
    for (let i = 0; i < nodes; i++) groupStart[find(i) + 1]!++;
    for (let i = 0; i < nodes; i++) groupStart[i + 1]! += groupStart[i]!;
    for (let i = 0; i < nodes; i++) {
      const root = find(i);
      order[groupStart[root]!++] = i;
    }
    for (let i = nodes; i > 0; i--) groupStart[i] = groupStart[i - 1]!;
    groupStart[0] = 0;
    for (let root = 0; root < nodes; root++) {
      const start = groupStart[root]!;
      const end = groupStart[root + 1]!;
      if (end - start < 2) continue;
      let split = start;
      while (split < end && order[split]! < rows) split++;
      const groupRows = split - start;
      const groupCols = end - split;
      if (groupRows === 1 && groupCols === 1) {
        assigned[order[start]!] = order[split]! - rows;
        continue;
      }
      if (this.group.length < groupRows * groupCols) this.group = new Float64Array(Math.max(groupRows * groupCols, 2 * this.group.length));
      const group = this.group;
      for (let r = 0; r < groupRows; r++) {
        const row = order[start + r]!;
        for (let c = 0; c < groupCols; c++) group[r * groupCols + c] = cost[row * cols + order[split + c]! - rows]!;
      }
      const solved = this.solve(group, groupRows, groupCols);
      for (let r = 0; r < groupRows; r++) {
        const c = solved[r]!;
        if (c >= 0 && group[r * groupCols + c]! < FORBIDDEN) assigned[order[start + r]!] = order[split + c]! - rows;
      }
    }
    return assigned;
  }

  /** n ≤ m; afterwards p[j] (1-based) is the row assigned to column j, 0 for none. */
  private run(a: Float64Array, n: number, m: number): void {
    this.reserve(n, m);
    const { u, v, minv, p, way, used } = this;
    u.fill(0, 0, n + 1);
    v.fill(0, 0, m + 1);
    p.fill(0, 0, m + 1);
    for (let i = 1; i <= n; i++) {
      p[0] = i;
      let j0 = 0;
      minv.fill(Infinity, 0, m + 1);
      used.fill(0, 0, m + 1);
      do {
        used[j0] = 1;
        const i0 = p[j0]!;
        const row = (i0 - 1) * m - 1;
        const ui0 = u[i0]!;
        let delta = Infinity;
        let j1 = 0;
        for (let j = 1; j <= m; j++) {
          if (used[j] === 1) continue;
          const reduced = a[row + j]! - ui0 - v[j]!;
          if (reduced < minv[j]!) {
            minv[j] = reduced;
            way[j] = j0;
          }
          if (minv[j]! < delta) {
            delta = minv[j]!;
            j1 = j;
          }
        }
        for (let j = 0; j <= m; j++) {
          if (used[j] === 1) {
            u[p[j]!] = u[p[j]!]! + delta;
            v[j] = v[j]! - delta;
          } else {
            minv[j] = minv[j]! - delta;
          }
        }
        j0 = j1;
      } while (p[j0] !== 0);
      do {
        const j1 = way[j0]!;
        p[j0] = p[j1]!;
        j0 = j1;
      } while (j0 !== 0);
    }
  }

  private reserve(n: number, m: number): void {
    if (this.u.length < n + 1) this.u = new Float64Array(Math.max(n + 1, 2 * this.u.length));
    if (this.v.length < m + 1) {
      const size = Math.max(m + 1, 2 * this.v.length);
      this.v = new Float64Array(size);
      this.minv = new Float64Array(size);
      this.p = new Int32Array(size);
      this.way = new Int32Array(size);
      this.used = new Uint8Array(size);
    }
  }
}
