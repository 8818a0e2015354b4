import { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { Config } from '@backstage/config';
import { externalDnsOwnerOf } from '@bluegreen/plugin-bluegreen-common';

/** How the clusters' external-dns names its TXT registry records. */
export interface ExternalDnsRegistrySettings {
  /** --txt-prefix; may hold %{record_type}. */
  txtPrefix?: string;
  /** --txt-suffix; may hold %{record_type}. */
  txtSuffix?: string;
}

const CONFIG_KEY = 'bluegreen.traffic.externalDns';
const RECORD_TYPE = /%\{record_type\}/g;

export function readExternalDnsSettings(
  config: Config,
): ExternalDnsRegistrySettings {
  const externalDns = config.getOptionalConfig(CONFIG_KEY);
  const settings = {
    txtPrefix: externalDns?.getOptionalString('txtPrefix'),
    txtSuffix: externalDns?.getOptionalString('txtSuffix'),
  };
  if (settings.txtPrefix && settings.txtSuffix) {
    // external-dns refuses them together too.
    throw new Error(
      `${CONFIG_KEY}: txtPrefix and txtSuffix cannot be used together (as in external-dns)`,
    );
  }
  return settings;
}

/**
 * The names external-dns may give the TXT registry record of (name, type), as its affix
 * name mapper builds them: the current format (`<prefix><type>-<label><suffix>.<rest>`,
 * the type left out when an affix carries %{record_type}) and the old one without the
 * type. Absolute, lower case.
 */
export function registryNames(
  name: string,
  type: string,
  settings: ExternalDnsRegistrySettings,
): string[] {
  const lowerType = type.toLowerCase();
  const affix = (value = '') => value.replace(RECORD_TYPE, lowerType);
  const typeInAffix = RECORD_TYPE.test(
    `${settings.txtPrefix ?? ''}${settings.txtSuffix ?? ''}`,
  );
  RECORD_TYPE.lastIndex = 0;
  const absolute = name.toLowerCase().replace(/\.?$/, '.');
  const [first, ...rest] = absolute.slice(0, -1).split('.');
  const build = (label: string) =>
    `${affix(settings.txtPrefix)}${label}${affix(
      settings.txtSuffix,
    )}.${rest.join('.')}.`.toLowerCase();
  const names = new Set([
    build(typeInAffix ? first : `${lowerType}-${first}`),
    build(first),
  ]);
  return [...names];
}

/** The owner a TXT registry record names (see externalDnsOwnerOf). */
export function externalDnsOwner(
  record: ResourceRecordSet,
): string | undefined {
  return externalDnsOwnerOf((record.ResourceRecords ?? []).map(r => r.Value));
}
