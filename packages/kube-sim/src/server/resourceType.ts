/** The resource types the simulator serves, with the facts discovery, routing and selectors need. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Discovery categories; `all` makes `kubectl get all` include the type. */
  categories?: string[];
  /** Field selector keys the real server accepts for this type, beyond metadata.name/namespace. */
  fieldSelectors?: string[];
  subresources?: string[];
  /** DELETE answers with the deleted object rather than a Success Status (as the real registry does for these). */
  returnsDeletedObject?: boolean;
}
