// A Node.js client for jdlens: the proof that a service in another language can call us with
// nothing but the .proto files.
//
//   node tests/node/client.mjs HOST:PORT [JD_FILE]
//
// Loads protos/jdlens/v1/*.proto with @grpc/proto-loader, runs AnalyzeJd on the reference JD
// (JD_FILE, else examples/reference_jd.txt) and a 10-item AnalyzeJdStream with one malformed
// item, and prints one JSON object with what came back. Exits 1 on any unexpected result.
// Per-item error details are google.protobuf.Any; they are decoded with google/rpc/error_details.proto
// (vendored in ./protos from googleapis, Apache-2.0).

import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import protobuf from "protobufjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const jdlensProtos = path.join(repo, "protos");
const googleProtos = path.join(here, "protos");
const DEADLINE_MS = 120_000;
const INVALID_ARGUMENT = 3;

function fail(message) {
  process.stderr.write(`node client: ${message}\n`);
  process.exit(1);
}

function loadServices() {
  const files = readdirSync(path.join(jdlensProtos, "jdlens", "v1"))
    .filter((name) => name.endsWith(".proto"))
    .map((name) => `jdlens/v1/${name}`);
  const definition = protoLoader.loadSync(files, {
    includeDirs: [jdlensProtos],
    keepCase: false, // lowerCamelCase fields, as proto JSON
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).jdlens.v1;
}

// google.rpc detail types by type URL, for unpacking the Any values of an ItemError.
function loadDetailTypes() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    path.isAbsolute(target) ? target : path.join(googleProtos, target);
  root.loadSync("google/rpc/error_details.proto", { keepCase: false });
  const types = new Map();
  for (const nested of root.lookup("google.rpc").nestedArray) {
    if (nested instanceof protobuf.Type) {
      types.set(`type.googleapis.com/google.rpc.${nested.name}`, nested);
    }
  }
  return types;
}

function unpack(detail, types) {
  // protobufjs keeps google.protobuf.Any's own field names as declared (type_url), whatever keepCase says.
  const typeUrl = detail.type_url ?? detail.typeUrl;
  const type = types.get(typeUrl);
  if (!type) return { "@type": typeUrl, bytes: Buffer.from(detail.value).toString("base64") };
  const message = type.toObject(type.decode(detail.value), { longs: String, enums: String, defaults: false });
  return { "@type": typeUrl, ...message };
}

function readReferenceJd(argPath) {
  const candidates = argPath
    ? [argPath]
    : [path.join(repo, "examples", "reference_jd.txt"), "/work/shared/reference/reference_jd.txt"];
  const found = candidates.find((p) => existsSync(p));
  if (!found) fail(`no reference JD at ${candidates.join(" or ")}`);
  return readFileSync(found, "utf8");
}

function deadline() {
  return new Date(Date.now() + DEADLINE_MS);
}

function analyzeJd(client, text) {
  return new Promise((resolve, reject) => {
    client.AnalyzeJd({ jd: { text } }, { deadline: deadline() }, (err, response) =>
      err ? reject(err) : resolve(response),
    );
  });
}

// Short JDs of different occupations; the stream's one malformed item is whitespace only.
const STREAM_JDS = [
  ["Registered Nurse", "Assess patients, administer medication and keep accurate care records on a busy ward."],
  ["Staff Accountant", "Prepare month-end journals, reconcile bank accounts and support the external audit."],
  ["Data Engineer", "Build and operate data pipelines in Python, SQL and Apache Spark on AWS."],
  ["Secondary School Teacher", "Plan and teach mathematics lessons and track each pupil's progress."],
  ["Truck Driver", "Drive a rigid vehicle on regional delivery routes and complete daily vehicle checks."],
  ["Backend Engineer", "Design REST APIs in Java and Spring Boot and run them on Kubernetes."],
  ["Warehouse Supervisor", "Lead a shift of pickers and packers and keep stock levels accurate."],
  ["Marketing Coordinator", "Run email campaigns and report on their results to the marketing manager."],
  ["Electrician", "Install, test and repair wiring and lighting systems in commercial buildings."],
];

function jdText(title, duty, i) {
  return [
    title,
    "",
    `We are looking for a ${title} to join our team in Leeds (full-time).`,
    "",
    "Responsibilities:",
    `- ${duty}`,
    "- Work safely and follow company procedures.",
    "",
    "Requirements:",
    "- 2+ years of experience in a similar role.",
    "- Good communication skills.",
    "",
    `Salary: £30,000 - £38,000 per year. Apply with your CV. (Node.js client item ${i})`,
  ].join("\n");
}

function streamItems() {
  const items = STREAM_JDS.map(([title, duty], i) => ({
    requestId: `node-${i}`,
    jd: { text: jdText(title, duty, i), title },
  }));
  items.splice(4, 0, { requestId: "node-malformed", jd: { text: " \n\t " } });
  return items;
}

function analyzeStream(client, items) {
  return new Promise((resolve, reject) => {
    const responses = [];
    const call = client.AnalyzeJdStream({ deadline: deadline() });
    call.on("data", (response) => responses.push(response));
    call.on("error", reject);
    call.on("end", () => resolve(responses));
    for (const item of items) call.write(item);
    call.end();
  });
}

function runSummary(run) {
  const decision = run.extraction?.decision ?? {};
  return {
    name: run.name,
    status: run.status,
    stage: run.stage,
    library_version: run.libraryVersion,
    decision_case: decision.decisionCase,
    chosen_role: decision.chosenRole?.displayName ?? "",
    skills: (run.extraction?.skills ?? []).length,
  };
}

function checkRun(run, text, label) {
  if (!/^runs\/[0-9a-f-]{36}$/.test(run?.name ?? "")) fail(`${label}: no run name in ${JSON.stringify(run?.name)}`);
  if (run.jdText !== text) fail(`${label}: the run does not hold the JD text that was sent`);
  if (["RUN_STATUS_UNSPECIFIED", "RUN_STATUS_REJECTED"].includes(run.status)) {
    fail(`${label}: unexpected status ${run.status}`);
  }
  if (!run.extraction?.parsed) fail(`${label}: the run has no parsed JD`);
}

async function main() {
  const [target, jdPath] = process.argv.slice(2);
  if (!target) fail("usage: node client.mjs HOST:PORT [JD_FILE]");
  const v1 = loadServices();
  const detailTypes = loadDetailTypes();
  const client = new v1.PipelineService(target, grpc.credentials.createInsecure());

  const referenceJd = readReferenceJd(jdPath);
  const analyzed = await analyzeJd(client, referenceJd);
  checkRun(analyzed.run, referenceJd, "AnalyzeJd");
  if (analyzed.run.extraction.skills.length === 0) fail("AnalyzeJd: no skills extracted from the reference JD");

  const items = streamItems();
  const responses = await analyzeStream(client, items);
  const sent = new Map(items.map((item) => [item.requestId, item]));
  const seen = new Set();
  const runs = [];
  const errors = [];
  for (const response of responses) {
    const item = sent.get(response.requestId);
    if (!item) fail(`stream: response for unknown request_id ${response.requestId}`);
    if (seen.has(response.requestId)) fail(`stream: two responses for ${response.requestId}`);
    seen.add(response.requestId);
    if (response.result === "error") {
      errors.push({
        request_id: response.requestId,
        code: response.error.code,
        message: response.error.message,
        details: response.error.details.map((d) => unpack(d, detailTypes)),
      });
    } else {
      checkRun(response.run, item.jd.text, `stream item ${response.requestId}`);
      runs.push({ request_id: response.requestId, replayed: response.replayed, ...runSummary(response.run) });
    }
  }
  if (seen.size !== items.length) fail(`stream: ${seen.size} responses for ${items.length} requests`);
  if (errors.length !== 1 || errors[0].request_id !== "node-malformed") {
    fail(`stream: expected one error, for node-malformed; got ${JSON.stringify(errors)}`);
  }
  const [error] = errors;
  const badRequest = error.details.find((d) => d["@type"]?.endsWith("google.rpc.BadRequest"));
  if (error.code !== INVALID_ARGUMENT || !badRequest?.fieldViolations?.some((v) => v.field === "jd.text")) {
    fail(`stream: the malformed item's error is not INVALID_ARGUMENT on jd.text: ${JSON.stringify(error)}`);
  }
  client.close();
  process.stdout.write(
    `${JSON.stringify({ analyze: { replayed: analyzed.replayed, ...runSummary(analyzed.run) }, stream: { runs, errors } }, null, 2)}\n`,
  );
}

main().catch((err) => fail(err?.stack ?? String(err)));
