/**
 * Faker-backed test data: phone numbers, account ids and credentials. Seeded per scenario, so
 * the same seed makes the same people and keys. (@faker-js/faker is pinned exactly in
 * package.json: its values change between versions.)
 */
import type { Faker } from '@faker-js/faker';
// The English locale's own entry point: the package's main one loads all ~70 locales, about a
// third of a second at every process start. Its instance gives the class and the definitions;
// each FakeData makes its own seeded instance from them (values as with `new Faker({ locale: [en] })`).
import { faker as english } from '@faker-js/faker/locale/en';

import type { Flow, ShareRequest } from '../adapter/contract.ts';

const FakerClass = english.constructor as typeof Faker;

/** The credential kinds scenarios can name, and their TIGRESS formats. */
export const CREDENTIAL_KINDS = {
  'car key': 'digitalwallet.carkey.ccc',
  'authorization token': 'digitalwallet.generic.authorizationToken',
} as const;
export type CredentialKind = keyof typeof CREDENTIAL_KINDS;

export function isCredentialKind(text: string): text is CredentialKind {
  return Object.hasOwn(CREDENTIAL_KINDS, text);
}

export class FakeData {
  private readonly faker: Faker;

  constructor(seed: number) {
    this.faker = new FakerClass({ locale: [english.rawDefinitions] });
    this.faker.seed(seed);
  }

  /** An E.164 phone number. */
  phoneNumber(): string {
    return this.faker.phone.number({ style: 'international' });
  }

  uuid(): string {
    return this.faker.string.uuid();
  }

  /** A Signal registration id (14 bits, never 0). */
  registrationId(): number {
    return this.faker.number.int({ min: 1, max: 0x3fff });
  }

  /** An opaque payload of exactly `length` characters from the base64 alphabet (binary provisioning information is base64). */
  opaque(length: number): string {
    return this.faker.string.alphanumeric(length);
  }

  /** A credential of the given kind, ready to share with `recipient`. */
  credential(kind: CredentialKind, opts: { recipient: string; flow?: Flow; expiresAt: number }): ShareRequest {
    const f = this.faker;
    const format = CREDENTIAL_KINDS[kind];
    const secret = f.string.alphanumeric(32);
    if (kind === 'car key') {
      const car = `${f.vehicle.manufacturer()} ${f.vehicle.model()}`;
      return {
        recipient: opts.recipient,
        flow: opts.flow ?? 'stateless',
        format,
        displayInformation: {
          title: `${car} key`,
          description: `Shared access to the ${f.color.human()} ${car}`,
          imageURL: `https://images.example/cars/${f.string.alphanumeric(8)}.png`,
        },
        expiresAt: opts.expiresAt,
        provisioningInformation: b64(JSON.stringify({ vin: f.vehicle.vin(), keySlot: f.number.int(15), secret })),
      };
    }
    return {
      recipient: opts.recipient,
      flow: opts.flow ?? 'stateless',
      format,
      displayInformation: {
        title: `${f.company.name()} access`,
        description: `Authorization token for ${f.internet.domainName()}`,
      },
      expiresAt: opts.expiresAt,
      provisioningInformation: b64(JSON.stringify({ token: secret, scope: f.hacker.verb() })),
    };
  }
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
