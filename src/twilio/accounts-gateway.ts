import type twilio from "twilio";
import type { ServiceRecord } from "../inbox/inbox-types.js";
import { toServiceRecord } from "./record-mappers.js";
import { translateTwilioError } from "./twilio-error.js";

type TwilioClient = ReturnType<typeof twilio>;

/** A Conversations User as the accounts layer sees it. */
export interface DirectoryUserRecord {
  sid: string;
  identity: string;
  /** The JSON string of the user's attributes. */
  attributes: string;
}

/**
 * The platform account, seen through the twilio SDK: its Conversations Services (tenants created at sign-up, the
 * user directory) and the Users of one service. Every method throws AppError (Twilio's code kept).
 */
export class AccountsGateway {
  constructor(
    private readonly client: TwilioClient,
    readonly accountSid: string,
  ) {}

  private get services() {
    return this.client.conversations.v1.services;
  }

  /** Every Conversations Service of the account (one call per 100). */
  listServices(): Promise<ServiceRecord[]> {
    return call(async () => {
      const list = await this.services.list({ pageSize: 100 });
      return list.map(toServiceRecord);
    });
  }

  createService(friendlyName: string): Promise<string> {
    return call(async () => (await this.services.create({ friendlyName })).sid);
  }

  deleteService(sid: string): Promise<void> {
    return call(async () => {
      await this.services(sid).remove();
    });
  }

  /** Creates a user; an identity already taken answers AppError "conflict" with Twilio's 50201. */
  createUser(serviceSid: string, identity: string, attributes: string): Promise<DirectoryUserRecord> {
    return call(async () => toUser(await this.services(serviceSid).users.create({ identity, attributes })));
  }

  /** The user with this SID or identity, or undefined when there is none. */
  findUser(serviceSid: string, sidOrIdentity: string): Promise<DirectoryUserRecord | undefined> {
    return call(async () => {
      try {
        return toUser(await this.services(serviceSid).users(sidOrIdentity).fetch());
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    });
  }

  updateUserAttributes(serviceSid: string, sid: string, attributes: string): Promise<DirectoryUserRecord> {
    return call(async () => toUser(await this.services(serviceSid).users(sid).update({ attributes })));
  }

  deleteUser(serviceSid: string, sid: string): Promise<void> {
    return call(async () => {
      await this.services(serviceSid).users(sid).remove();
    });
  }

  /** Every user of the service (one call per 50, Twilio's page bound for Users). */
  listUsers(serviceSid: string): Promise<DirectoryUserRecord[]> {
    return call(async () => (await this.services(serviceSid).users.list({ pageSize: 50 })).map(toUser));
  }
}

function toUser(user: { sid: string; identity: string; attributes?: string | null }): DirectoryUserRecord {
  return { sid: user.sid, identity: user.identity, attributes: user.attributes ?? "{}" };
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateTwilioError(error);
  }
}
