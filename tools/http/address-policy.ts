import ipaddr from 'ipaddr.js';

/** Decides which IP addresses a server-side fetch may connect to. */
export interface AddressPolicy {
  /** Why the address must not be contacted, or undefined when it may. */
  refusal(address: string): string | undefined;
}

const RANGE_NAMES: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local (cloud metadata)',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT',
  private: 'a private',
  uniqueLocal: 'a unique-local',
  reserved: 'a reserved',
};

/**
 * Only globally routable unicast addresses. Everything else is refused: loopback, private (10/8, 172.16/12,
 * 192.168/16), link-local (169.254/16, where cloud metadata services answer, and fe80::/10), unique-local (fc00::/7),
 * carrier-grade NAT (100.64/10), multicast, unspecified, broadcast and reserved ranges. IPv4-mapped IPv6 addresses
 * are judged as the IPv4 address they carry; other IPv6 forms that embed an IPv4 address (NAT64, 6to4, Teredo) are
 * refused outright, since the embedded address could be any of the above.
 */
export const publicAddressPolicy: AddressPolicy = {
  refusal(address) {
    if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
    // process() turns ::ffff:127.0.0.1 into 127.0.0.1, so a mapped address is no way around the IPv4 ranges.
    const range = ipaddr.process(address).range();
    if (range === 'unicast') return undefined;
    return `${address} is ${RANGE_NAMES[range] ?? `a non-public (${range})`} address`;
  },
};
