// Checks deploy/: every Kubernetes and KEDA manifest against its schema, twice
// (kubernetes-models' ajv validators for types, formats and required fields;
// TypeScript's excess-property check on the same models' interfaces for
// unknown fields, which those validators let through), the HTTPScaledObject
// against its CRD's schema (httpscaledobject.schema.json), the hostPath
// fallback applied as the JSON patch it is, and hl's own invariants.
// Prints one line per failure and exits 1 if there is any.
// Usage: node validate.mjs DEPLOY_DIR, run from a copy of this file beside
// the node_modules that package.json and package-lock.json make.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as YAML from "yaml";
import Ajv from "ajv";
import jsonPatch from "fast-json-patch";
import ts from "typescript";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";

const deployDir = process.argv[2];
const workDir = path.dirname(fileURLToPath(import.meta.url));

const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);
const check = (where, ok, message) => ok || fail(where, message);

// One document per file, parsed strictly: duplicate keys and YAML warnings fail.
const kubeDir = path.join(deployDir, "kubernetes");
function read(name) {
    const text = fs.readFileSync(path.join(kubeDir, name), "utf8");
    const docs = YAML.parseAllDocuments(text, { uniqueKeys: true, strict: true });
    for (const d of docs)
        for (const problem of [...d.errors, ...d.warnings]) fail(name, problem.message);
    check(name, docs.length === 1, `expected one YAML document, found ${docs.length}`);
    return docs[0]?.toJS() ?? {};
}
const deployment = read("deployment.yaml");
const service = read("service.yaml");
const scaled = read("scaledobject.yaml");
const httpScaled = read("httpscaledobject.yaml");
const patch = read("kvm-hostpath.patch.yaml");
const podMonitor = read("podmonitor.yaml");
const expected = ["deployment.yaml", "httpscaledobject.yaml", "kvm-hostpath.patch.yaml", "podmonitor.yaml", "scaledobject.yaml",
                  "service.yaml"];
check("deploy/kubernetes", JSON.stringify(fs.readdirSync(kubeDir).sort()) === JSON.stringify(expected),
      `holds ${fs.readdirSync(kubeDir).sort().join(" ")}; this test checks only ${expected.join(" ")}`);

// The hostPath fallback, applied as kubectl patch --type json would.
let patched = {};
try {
    patched = jsonPatch.applyPatch(structuredClone(deployment), patch, true, false).newDocument;
} catch (e) {
    fail("kvm-hostpath.patch.yaml", `does not apply to deployment.yaml: ${e.name}: ${e.message.split("\n")[0]}`);
}

// Schemas, with ajv.
function validateModel(where, Model, object) {
    try {
        new Model(object).validate();
    } catch (e) {
        fail(where, e.message);
    }
}
validateModel("deployment.yaml", Deployment, deployment);
validateModel("deployment.yaml + kvm-hostpath.patch.yaml", Deployment, patched);
validateModel("service.yaml", Service, service);
validateModel("scaledobject.yaml", ScaledObject, scaled);
validateModel("podmonitor.yaml", PodMonitor, podMonitor);
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const schema = JSON.parse(fs.readFileSync(new URL("httpscaledobject.schema.json", import.meta.url), "utf8"));
const validateHttp = ajv.compile(schema);
if (!validateHttp(httpScaled))
    for (const e of validateHttp.errors) fail("httpscaledobject.yaml", `${e.instancePath || "/"} ${e.message}`);

// Unknown fields, with TypeScript: an object literal typed by the model's
// interface may only name fields the interface has.
const typed = [
    ["deployment.yaml", "IDeployment", "kubernetes-models/apps/v1/Deployment", deployment],
    ["deployment.yaml + kvm-hostpath.patch.yaml", "IDeployment", "kubernetes-models/apps/v1/Deployment", patched],
    ["service.yaml", "IService", "kubernetes-models/v1/Service", service],
    ["scaledobject.yaml", "IScaledObject", "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject", scaled],
    ["podmonitor.yaml", "IPodMonitor", "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor", podMonitor],
];
const tsFile = path.join(workDir, "manifests.ts");
const lines = [...new Set(typed.map(([, type, module]) => `import type { ${type} } from "${module}";`))];
typed.forEach(([where, type, , object], i) => lines.push(`// ${where}`, `export const m${i}: ${type} = ${JSON.stringify(object)};`));
fs.writeFileSync(tsFile, lines.join("\n") + "\n");
const program = ts.createProgram([tsFile], {
    noEmit: true, strict: true, skipLibCheck: true,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
});
for (const d of ts.getPreEmitDiagnostics(program)) {
    // Named by the comment line above the constant the diagnostic is in.
    const line = d.file ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
    const above = d.file?.text.split("\n").slice(0, line).reverse().find((l) => l.startsWith("// "));
    fail(above?.slice(3) ?? tsFile, ts.flattenDiagnosticMessageText(d.messageText, " "));
}

// hl's invariants.
const dockerfile = fs.readFileSync(path.join(deployDir, "Dockerfile"), "utf8");
const subset = (small = {}, big = {}) => Object.entries(small).every(([k, v]) => big[k] === v);
const pod = deployment.spec?.template?.spec ?? {};
const labels = deployment.spec?.template?.metadata?.labels ?? {};
const container = pod.containers?.[0] ?? {};
const D = "deployment.yaml";
check(D, pod.containers?.length === 1, "expected one container");
check(D, Object.keys(deployment.spec?.selector?.matchLabels ?? {}).length > 0 &&
      subset(deployment.spec.selector.matchLabels, labels), "spec.selector does not select the pod template's labels");
const port = (container.ports ?? []).find((p) => p.name === "http");
check(D, port !== undefined, "no container port named http");
const listen = (container.env ?? []).find((e) => e.name === "HL_LISTEN")?.value;
check(D, listen === `0.0.0.0:${port?.containerPort}`, `HL_LISTEN is ${listen}, not 0.0.0.0:${port?.containerPort}`);
check("Dockerfile", dockerfile.includes(`\nENV HL_LISTEN=0.0.0.0:${port?.containerPort}\n`) &&
      dockerfile.includes(`\nEXPOSE ${port?.containerPort}\n`), `does not listen on and expose 0.0.0.0:${port?.containerPort}`);
const resolvesToHttp = (p) => p === "http" || p === port?.containerPort;
for (const [probe, route] of [["readinessProbe", "/readyz"], ["livenessProbe", "/healthz"]]) {
    const get = container[probe]?.httpGet;
    check(D, get?.path === route && resolvesToHttp(get?.port), `${probe} is not GET ${route} on the http port`);
}
const snapshot = container.args?.at(-1);
check(D, dockerfile.includes(`guest.hlsnap ${snapshot}\n`), `the last argument ${snapshot} is not the snapshot the Dockerfile copies`);
const workers = Number(container.args?.[container.args.indexOf("--workers") + 1]);
check(D, workers > 0 && workers <= parseFloat(container.resources?.limits?.cpu), "--workers is not set within the CPU limit");
const pause = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
check(D, pause > 0, "no preStop pause: connections routed to the pod while its endpoint is removed would be refused");
check(D, pod.terminationGracePeriodSeconds > pause + 30,
      "terminationGracePeriodSeconds is not past the preStop pause and hlrun's 30s --drain-timeout");
check(D, container.startupProbe?.httpGet?.path === "/readyz" && resolvesToHttp(container.startupProbe?.httpGet?.port),
      "startupProbe is not GET /readyz on the http port");
check(D, deployment.spec?.replicas === undefined, "spec.replicas is set: applying the file again would undo KEDA's count");
function checkConfinement(where, object, privileged) {
    const spec = object.spec?.template?.spec ?? {};
    const c = spec.containers?.[0] ?? {};
    const sc = c.securityContext ?? {};
    const user = sc.runAsUser ?? spec.securityContext?.runAsUser;
    check(where, (sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) === true && user > 0, "does not run as a non-root user");
    check(where, sc.readOnlyRootFilesystem === true, "the root file system is not read-only");
    check(where, JSON.stringify(sc.capabilities?.drop) === '["ALL"]', "does not drop every capability");
    check(where, (spec.volumes ?? []).every((v) => v.hostPath?.path === "/dev/kvm" || v.emptyDir),
          "mounts something other than /dev/kvm or an emptyDir");
    // The API server refuses privileged with allowPrivilegeEscalation false.
    check(where, !(sc.privileged === true && sc.allowPrivilegeEscalation === false),
          "privileged with allowPrivilegeEscalation false, which the API server refuses");
    check(where, (sc.privileged === true) === privileged, privileged ? "is not privileged" : "is privileged");
    if (!privileged) check(where, sc.allowPrivilegeEscalation === false, "allows privilege escalation");
    const kvm = "devices.kubevirt.io/kvm";
    const res = c.resources ?? {};
    if (privileged) {
        check(where, res.limits?.[kvm] === undefined && res.requests?.[kvm] === undefined, `still asks for ${kvm}`);
        const volume = (spec.volumes ?? []).find((v) => v.hostPath?.path === "/dev/kvm");
        check(where, volume?.hostPath?.type === "CharDevice", "has no hostPath volume of /dev/kvm as a CharDevice");
        check(where, (c.volumeMounts ?? []).some((m) => m.name === volume?.name && m.mountPath === "/dev/kvm"),
              "does not mount the /dev/kvm volume at /dev/kvm");
    } else {
        check(where, res.limits?.[kvm] === "1", `does not ask for ${kvm}`);
        // Extended resources cannot be overcommitted: a request must equal the limit.
        check(where, res.requests?.[kvm] === undefined || res.requests[kvm] === res.limits[kvm], `${kvm} request differs from its limit`);
    }
}
checkConfinement(D, deployment, false);
checkConfinement("deployment.yaml + kvm-hostpath.patch.yaml", patched, true);
const userLine = dockerfile.match(/^USER (\d+)(?::(\d+))?$/m);
check("Dockerfile", userLine && Number(userLine[1]) === pod.securityContext?.runAsUser,
      `USER is not the numeric non-root user ${pod.securityContext?.runAsUser} the pod runs as`);

const S = "service.yaml";
check(S, Object.keys(service.spec?.selector ?? {}).length > 0 && subset(service.spec.selector, labels),
      "spec.selector does not select the Deployment's pod labels");
const servicePort = service.spec?.ports?.[0];
check(S, resolvesToHttp(servicePort?.targetPort), "targetPort is not the container's http port");

const K = "scaledobject.yaml";
const ref = scaled.spec?.scaleTargetRef ?? {};
check(K, ref.name === deployment.metadata?.name && (ref.kind ?? "Deployment") === "Deployment",
      `scaleTargetRef is not the Deployment ${deployment.metadata?.name}`);
const trigger = scaled.spec?.triggers?.[0] ?? {};
check(K, scaled.spec?.triggers?.length === 1 && trigger.type === "prometheus", "expected one trigger, of type prometheus");
check(K, /(^|[^a-zA-Z0-9_:])hl_inflight_requests([^a-zA-Z0-9_:]|$)/.test(trigger.metadata?.query ?? ""),
      "the query does not read hl_inflight_requests");
check(K, Number(trigger.metadata?.threshold) > 0, "threshold is not a positive number");
check(K, scaled.spec?.minReplicaCount >= 1,
      "minReplicaCount below 1: with the Prometheus scaler alone nothing wakes a Deployment at zero (httpscaledobject.yaml does)");

const P = "podmonitor.yaml";
check(P, Object.keys(podMonitor.spec?.selector?.matchLabels ?? {}).length > 0 &&
      subset(podMonitor.spec.selector.matchLabels, labels), "spec.selector does not select the Deployment's pod labels");
const endpoint = podMonitor.spec?.podMetricsEndpoints?.[0] ?? {};
check(P, podMonitor.spec?.podMetricsEndpoints?.length === 1 && endpoint.port === "http" && endpoint.path === "/metrics",
      "does not scrape /metrics on the port named http");
const annotations = deployment.spec?.template?.metadata?.annotations ?? {};
check(D, annotations["prometheus.io/port"] === String(port?.containerPort) && annotations["prometheus.io/path"] === "/metrics",
      "the prometheus.io annotations do not name the http port and /metrics");

const H = "httpscaledobject.yaml";
const href = httpScaled.spec?.scaleTargetRef ?? {};
check(H, href.name === deployment.metadata?.name && href.kind === "Deployment",
      `scaleTargetRef is not the Deployment ${deployment.metadata?.name}`);
check(H, href.service === service.metadata?.name && href.port === servicePort?.port,
      `scaleTargetRef does not route to ${service.metadata?.name}:${servicePort?.port}`);
check(H, httpScaled.spec?.replicas?.min === 0, "replicas.min is not 0: scale-from-zero is what this variant is for");

for (const f of failures) console.log(`FAIL: ${f}`);
if (failures.length === 0) console.log("deploy/: every manifest validates and keeps hl's invariants");
process.exit(failures.length === 0 ? 0 : 1);
