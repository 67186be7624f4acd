import type { RestRequest } from '../restRouter';

/** Query paging as GitHub does it: `per_page` (default 30, at most 100) and `page`, with a Link header. */
export function paginate<T>(
  items: T[],
  req: RestRequest,
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(
    Math.max(Number(req.query.get('per_page')) || 30, 1),
    100,
  );
  const pageNo = Math.max(Number(req.query.get('page')) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(p));
    q.set('per_page', String(perPage));
    return `<${req.urls.api}${req.path}?${q}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (pageNo > 1) links.push(link(pageNo - 1, 'prev'));
  if (pageNo < last) links.push(link(pageNo + 1, 'next'));
  if (pageNo < last) links.push(link(last, 'last'));
  if (pageNo > 1) links.push(link(1, 'first'));
  return {
    page: items.slice((pageNo - 1) * perPage, pageNo * perPage),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}
