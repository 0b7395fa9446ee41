// A plain JavaScript CDK app of the same size as one environment of the
// customers API: the same stacks, resource types and resource count, read
// from the Go app's snapshots (test/testdata), each resource an L1
// CfnResource. `make bench` synthesizes it next to the Go app to measure
// what the Go app costs over CDK itself (see BENCHMARKS.md).
const fs = require("fs");
const path = require("path");
const cdk = require("aws-cdk-lib");

const app = new cdk.App();
const env = app.node.tryGetContext("env") || "dev";
const snapshots = path.join(__dirname, "..", "..", "test", "testdata");
const stackFile = new RegExp(`^Customers-${env}-(Api|Auth|Data)\\.json$`);
for (const file of fs.readdirSync(snapshots).filter((f) => stackFile.test(f)).sort()) {
  const template = JSON.parse(fs.readFileSync(path.join(snapshots, file), "utf8"));
  const stack = new cdk.Stack(app, path.basename(file, ".json"), {
    env: { account: "111111111111", region: "eu-west-1" },
  });
  for (const [id, p] of Object.entries(template.Parameters || {})) {
    if (id !== "BootstrapVersion") new cdk.CfnParameter(stack, id, { type: p.Type, default: p.Default });
  }
  for (const [id, resource] of Object.entries(template.Resources || {})) {
    new cdk.CfnResource(stack, id, { type: resource.Type, properties: resource.Properties });
  }
  for (const [id, o] of Object.entries(template.Outputs || {})) {
    new cdk.CfnOutput(stack, id, { value: o.Value, exportName: o.Export && o.Export.Name });
  }
}
app.synth();
