// Mocha adds the files named on the command line to `spec` instead of replacing it: name a file
// (`npx mocha test/http/access-token.test.ts`) and only that file runs; name none and the whole suite does.
const named = process.argv.slice(2).some((arg) => /\.ts$/.test(arg) || /^test\//.test(arg));

module.exports = {
  "node-option": ["import=tsx"],
  extension: ["ts"],
  spec: named ? [] : ["test/**/*.test.ts"],
  require: ["test/support/network-guard.ts", "test/support/system-programs.ts"],
  timeout: 10000,
  exit: true,
};
