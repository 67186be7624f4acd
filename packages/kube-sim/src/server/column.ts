/** One column of a server-side printed `Table` (what `kubectl get` shows): its definition and how to fill a cell. */
export interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell(obj: any): string | number;
}
