/**
 * The owner a TXT registry record of external-dns names: its value is
 * `"heritage=external-dns,external-dns/owner=<id>,..."` (the owner `default` when none is
 * given); undefined for a TXT record external-dns did not write. Labels are compared
 * whole, as external-dns does.
 * @public
 */
export function externalDnsOwnerOf(
  txtValues: Array<string | undefined>,
): string | undefined {
  for (const value of txtValues) {
    const labels = (value ?? '').replace(/^"|"$/g, '').split(',');
    if (!labels.includes('heritage=external-dns')) {
      continue;
    }
    const owner = labels.find(label => label.startsWith('external-dns/owner='));
    return owner?.slice('external-dns/owner='.length) || 'default';
  }
  return undefined;
}
