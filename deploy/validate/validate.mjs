// Static checks of a deploy folder (Dockerfile, compose.yaml, k8s/): each Kubernetes object
// against the API's JSON schemas (kubernetes-models), the compose file against the Compose
// specification (dclint), and the rules the gateway's operations need of all three.
// Usage: node validate.mjs <deploy folder>. Prints one line per problem; exits 1 if any.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const folder = resolve(process.argv[2] ?? join(here, ".."));
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

// The HTTP role drains for 20 s after a 5 s preStop pause; the worker writes its last batch for
// 15 s; then the producer flushes for up to 10 s. A shorter grace period kills a stop half way.
const MIN_GRACE_SECONDS = 40;
const ROLES = ["http", "worker", "timer"];

await kubernetes(join(folder, "k8s"));
compose(join(folder, "compose.yaml"));
dockerfile(join(folder, "Dockerfile"));

for (const line of problems) console.log(line);
console.log(problems.length === 0 ? "deploy files valid" : `${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);

async function kubernetes(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  const objects = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
      if (doc.errors.length > 0) {
        problem(file, `not YAML: ${doc.errors[0].message}`);
        continue;
      }
      const object = doc.toJS();
      if (object) objects.push({ file, object });
    }
  }
  const kustomization = objects.find((o) => o.object.kind === "Kustomization");
  const listed = new Set(kustomization ? kustomization.object.resources : []);
  if (!kustomization) problem("k8s", "no kustomization.yaml");
  for (const file of files) {
    if (file !== "kustomization.yaml" && !listed.has(file)) {
      problem(file, "not listed in kustomization.yaml");
    }
  }
  for (const name of listed) {
    if (!files.includes(name)) problem("kustomization.yaml", `lists ${name}, which is missing`);
  }
  const resources = objects.filter((o) => o.object.kind !== "Kustomization");
  for (const { file, object } of resources) await schema(file, object);
  rules(resources);
}

// The model class of an object's apiVersion and kind validates it against the API's schema.
async function schema(file, object) {
  const where = `${file} ${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : [null, object.apiVersion];
  let module;
  try {
    module = await import(`kubernetes-models/${group ? `${group}/${version}` : version}`);
  } catch {
    problem(where, `unknown apiVersion ${object.apiVersion}`);
    return;
  }
  const Model = module[object.kind];
  if (!Model) {
    problem(where, `unknown kind ${object.kind} in ${object.apiVersion}`);
    return;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    problem(where, `schema: ${e.message}`);
  }
}

function rules(resources) {
  const ofKind = (kind) => resources.filter((r) => r.object.kind === kind);
  const names = (kind) => new Set(ofKind(kind).map((r) => r.object.metadata.name));
  const configMaps = names("ConfigMap");
  const secrets = names("Secret");
  const deployments = ofKind("Deployment");
  const roles = new Set();
  for (const { file, object } of deployments) {
    const where = `${file} Deployment/${object.metadata.name}`;
    const pod = object.spec?.template?.spec ?? {};
    const labels = object.spec?.template?.metadata?.labels ?? {};
    if ((pod.terminationGracePeriodSeconds ?? 30) < MIN_GRACE_SECONDS) {
      problem(where, `terminationGracePeriodSeconds under ${MIN_GRACE_SECONDS} (the drain)`);
    }
    if (pod.securityContext?.runAsNonRoot !== true) problem(where, "runAsNonRoot is not true");
    for (const c of pod.containers ?? []) {
      const at = `${where} container ${c.name}`;
      for (const probe of ["readinessProbe", "livenessProbe"]) {
        const path = c[probe]?.httpGet?.path;
        if (!path || !path.startsWith("/health/")) problem(at, `${probe} is not on a /health route`);
      }
      for (const kind of ["requests", "limits"]) {
        for (const resource of ["cpu", "memory"]) {
          if (!c.resources?.[kind]?.[resource]) problem(at, `no ${resource} in resources.${kind}`);
        }
      }
      if (c.securityContext?.allowPrivilegeEscalation !== false) {
        problem(at, "allowPrivilegeEscalation is not false");
      }
      const role = (c.env ?? []).find((e) => e.name === "CART_ROLES")?.value;
      if (!ROLES.includes(role)) problem(at, `CART_ROLES is ${role}, not one role`);
      else roles.add(role);
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !configMaps.has(from.configMapRef.name)) {
          problem(at, `envFrom names ConfigMap ${from.configMapRef.name}, not defined`);
        }
        if (from.secretRef && !secrets.has(from.secretRef.name)) {
          problem(at, `envFrom names Secret ${from.secretRef.name}, not defined`);
        }
      }
      if (!(c.envFrom ?? []).some((f) => f.secretRef)) problem(at, "takes no Secret");
    }
    const selects = (selector) =>
      Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    if (!ofKind("PodDisruptionBudget").some((p) => selects(p.object.spec?.selector))) {
      problem(where, "no PodDisruptionBudget selects its pods");
    }
    const role = pod.containers?.[0]?.env?.find((e) => e.name === "CART_ROLES")?.value;
    const scaled = ofKind("HorizontalPodAutoscaler").find(
      (h) => h.object.spec?.scaleTargetRef?.name === object.metadata.name,
    );
    if (role === "http") {
      const onCpu = scaled?.object.spec?.metrics?.some((m) => m.resource?.name === "cpu");
      if (!onCpu) problem(where, "the HTTP role has no HorizontalPodAutoscaler on CPU");
    }
  }
  for (const role of ROLES) {
    if (!roles.has(role)) problem("k8s", `no Deployment runs the ${role} role`);
  }
}

function compose(file) {
  if (!existsSync(file)) {
    problem("compose.yaml", "missing");
    return;
  }
  try {
    execFileSync(
      join(here, "node_modules", ".bin", "dclint"),
      ["-c", join(here, ".dclintrc"), "--no-color", file],
      { encoding: "utf8", stdio: "pipe" },
    );
  } catch (e) {
    const lines = `${e.stdout ?? ""}${e.stderr ?? ""}`.split("\n").filter((l) => /error/.test(l));
    problem("compose.yaml", `dclint: ${lines.map((l) => l.trim()).join(" | ") || e.message}`);
  }
  const services = parse(readFileSync(file, "utf8")).services ?? {};
  for (const needed of ["redis", "kafka", "dynamodb"]) {
    if (!services[needed]) problem("compose.yaml", `no ${needed} service`);
  }
  for (const role of ROLES) {
    const found = Object.values(services).some((s) => s.environment?.CART_ROLES === role);
    if (!found) problem("compose.yaml", `no service runs the ${role} role`);
  }
}

function dockerfile(file) {
  if (!existsSync(file)) {
    problem("Dockerfile", "missing");
    return;
  }
  // Continuation lines joined, comments dropped: one instruction a line.
  const instructions = readFileSync(file, "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), args: l.slice(l.indexOf(" ") + 1) }));
  const froms = instructions.filter((i) => i.op === "FROM");
  if (froms.length < 2) problem("Dockerfile", "not multi-stage (one FROM)");
  const last = instructions.lastIndexOf(froms[froms.length - 1]);
  const final = instructions.slice(last);
  if (!/jre/i.test(final[0]?.args ?? "")) problem("Dockerfile", "the final stage is not a JRE image");
  const user = final.filter((i) => i.op === "USER").pop();
  if (!user || /^(root|0)(:|$)/.test(user.args)) problem("Dockerfile", "the final stage runs as root");
  if (!final.some((i) => i.op === "HEALTHCHECK" && /\/health\//.test(i.args))) {
    problem("Dockerfile", "no HEALTHCHECK on a /health route");
  }
  if (!final.some((i) => i.op === "ENTRYPOINT" || i.op === "CMD")) {
    problem("Dockerfile", "no ENTRYPOINT");
  }
}
