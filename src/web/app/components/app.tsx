import { session } from "../session.js";
import { Inbox } from "./inbox.js";
import { SignIn } from "./sign-in.js";

export function App() {
  return session.value ? <Inbox key={session.value.userId} /> : <SignIn />;
}
