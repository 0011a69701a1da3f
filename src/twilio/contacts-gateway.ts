import type twilio from "twilio";
import { translateTwilioError } from "./twilio-error.js";

type TwilioClient = ReturnType<typeof twilio>;

/** A Conversations User of a tenant's service, as the contacts layer reads it. */
export interface ContactUserRecord {
  sid: string;
  identity: string;
  friendlyName: string | null;
  /** JSON string. */
  attributes: string;
  dateCreated: string;
  dateUpdated: string;
}

/**
 * The Users of one tenant's Conversations Service, where the business API keeps contacts (src/contacts/). Every
 * method throws AppError (Twilio's code kept).
 */
export class ContactsGateway {
  constructor(
    private readonly client: TwilioClient,
    private readonly serviceSid: string,
  ) {}

  private get users() {
    return this.client.conversations.v1.services(this.serviceSid).users;
  }

  /** An identity already taken answers AppError "conflict" (Twilio's 50201). */
  create(identity: string, friendlyName: string | undefined, attributes: string): Promise<ContactUserRecord> {
    return call(async () => toRecord(await this.users.create({ identity, ...(friendlyName ? { friendlyName } : {}), attributes })));
  }

  /** The user with this SID or identity, or undefined. */
  find(sidOrIdentity: string): Promise<ContactUserRecord | undefined> {
    return call(async () => {
      try {
        return toRecord(await this.users(sidOrIdentity).fetch());
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    });
  }

  update(sid: string, changes: { friendlyName?: string; attributes: string }): Promise<ContactUserRecord> {
    return call(async () => toRecord(await this.users(sid).update(changes)));
  }

  remove(sid: string): Promise<void> {
    return call(async () => {
      await this.users(sid).remove();
    });
  }

  /** Every user of the service, up to `limit` (one call per 50, Twilio's page bound for Users). */
  list(limit: number): Promise<ContactUserRecord[]> {
    return call(async () => (await this.users.list({ pageSize: 50, limit })).map(toRecord));
  }
}

function toRecord(user: {
  sid: string;
  identity: string;
  friendlyName?: string | null;
  attributes?: string | null;
  dateCreated?: Date | null;
  dateUpdated?: Date | null;
}): ContactUserRecord {
  const created = (user.dateCreated ?? new Date(0)).toISOString();
  return {
    sid: user.sid,
    identity: user.identity,
    friendlyName: user.friendlyName ?? null,
    attributes: user.attributes ?? "{}",
    dateCreated: created,
    dateUpdated: user.dateUpdated ? user.dateUpdated.toISOString() : created,
  };
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateTwilioError(error);
  }
}
