import type { TenantConfig } from "../../src/tenants/tenant-config.js";
import { bootBenchGateway, type BenchTenantId, type BootedGateway, type ScaleOutSettings } from "./bench-gateway.js";
import { startCpuProfile } from "./cpu-profile.js";
import { serveParent } from "./worker-process.js";

/** What the parent asks the gateway's own process. */
export type GatewayProcessRequest =
  | { type: "start"; emulatorBaseUrl: string; tenants: Record<BenchTenantId, TenantConfig>; scaleOut?: ScaleOutSettings }
  | { type: "cpu" }
  | { type: "reset-arrivals"; count: number }
  | { type: "arrivals" }
  /** Profile this process (the gateway alone) until `profile-stop`, written to `dir` as `<name>.cpuprofile`. */
  | { type: "profile-start"; dir: string; name: string }
  | { type: "profile-stop" }
  | { type: "stop" };

let gateway: BootedGateway | undefined;
let profile: { stop(): Promise<void> } | undefined;

// The gateway alone in this process (the emulator stays in the parent's), so its CPU time is the gateway's own.
serveParent(async (request: GatewayProcessRequest) => {
  switch (request.type) {
    case "start":
      gateway = await bootBenchGateway(request.emulatorBaseUrl, request.tenants, request.scaleOut);
      return { baseUrl: gateway.baseUrl };
    case "cpu":
      return process.cpuUsage();
    case "reset-arrivals":
      gateway!.arrivals.reset(request.count);
      return {};
    case "arrivals":
      return { times: gateway!.arrivals.export() };
    case "profile-start":
      profile = await startCpuProfile(request.dir, request.name);
      return {};
    case "profile-stop":
      await profile?.stop();
      profile = undefined;
      return {};
    case "stop":
      await gateway?.close();
      return {};
  }
});
