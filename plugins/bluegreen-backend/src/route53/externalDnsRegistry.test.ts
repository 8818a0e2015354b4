import { ConfigReader } from '@backstage/config';
import {
  externalDnsOwner,
  readExternalDnsSettings,
  registryNames,
} from './externalDnsRegistry';

describe('external-dns TXT registry names', () => {
  const name = 'burnham.eks-blueprint.example.com';

  it.each([
    [{}, ['a-burnham.eks-blueprint.example.com.', `${name}.`]],
    [
      { txtPrefix: 'extdns-' },
      [
        'extdns-a-burnham.eks-blueprint.example.com.',
        'extdns-burnham.eks-blueprint.example.com.',
      ],
    ],
    [
      { txtSuffix: '-owner' },
      [
        'a-burnham-owner.eks-blueprint.example.com.',
        'burnham-owner.eks-blueprint.example.com.',
      ],
    ],
    // The record type in the affix replaces the type- prefix of the label.
    [
      { txtPrefix: '%{record_type}-reg-' },
      ['a-reg-burnham.eks-blueprint.example.com.'],
    ],
    [
      { txtSuffix: '-%{record_type}' },
      ['burnham-a.eks-blueprint.example.com.'],
    ],
    // A prefix ending in a dot makes the registry a child of the first label.
    [
      { txtPrefix: '_extdns.' },
      [
        '_extdns.a-burnham.eks-blueprint.example.com.',
        '_extdns.burnham.eks-blueprint.example.com.',
      ],
    ],
  ])('with %j: %j', (settings, expected) => {
    expect(registryNames(name, 'A', settings)).toEqual(expected);
  });

  it('names CNAME registries cname-', () => {
    expect(registryNames(`${name}.`, 'CNAME', {})[0]).toBe(
      'cname-burnham.eks-blueprint.example.com.',
    );
  });

  it('refuses txtPrefix and txtSuffix together, as external-dns does', () => {
    expect(() =>
      readExternalDnsSettings(
        new ConfigReader({
          bluegreen: {
            traffic: { externalDns: { txtPrefix: 'a', txtSuffix: 'b' } },
          },
        }),
      ),
    ).toThrow('txtPrefix and txtSuffix cannot be used together');
  });

  it('reads the owner from the registry value, default "default"', () => {
    expect(
      externalDnsOwner({
        Name: 'x',
        Type: 'TXT',
        ResourceRecords: [
          {
            Value:
              '"heritage=external-dns,external-dns/owner=eks-blueprint-blue"',
          },
        ],
      }),
    ).toBe('eks-blueprint-blue');
    expect(
      externalDnsOwner({
        Name: 'x',
        Type: 'TXT',
        ResourceRecords: [{ Value: '"heritage=external-dns"' }],
      }),
    ).toBe('default');
    expect(
      externalDnsOwner({
        Name: 'x',
        Type: 'TXT',
        ResourceRecords: [{ Value: '"v=spf1 -all"' }],
      }),
    ).toBeUndefined();
  });
});
