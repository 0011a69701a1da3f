import nock from "nock";

// No test may reach the internet: only loopback (the emulator and the gateway under test).
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
