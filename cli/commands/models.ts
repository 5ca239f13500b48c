import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { ASSET_CATALOGUE, assetBytes, findAsset, type AssetEntry } from '../../core/assets/catalogue.js';
import { locateAsset } from '../../core/assets/locate.js';
import { pullAsset, type AssetProgress } from '../../core/assets/pull.js';
import { verifyAsset, type AssetVerification } from '../../core/assets/verify.js';
import { reportError } from '../report-error.js';

/** The model-file settings `trellis models` needs. */
export interface ModelsCommandSettings {
  readonly modelsDir?: string;
  readonly cacheDir: string;
  readonly mirror: string;
}

/**
 * `trellis models list | pull <names...> | verify [names...]`: a thin shell over core/assets. Settings are loaded
 * only when a subcommand runs, so `--help` works with a broken configuration.
 */
export function createModelsCommand(loadSettings: () => Promise<ModelsCommandSettings>): Command {
  const command = new Command('models').description('list, download and verify the model files Trellis runs locally');

  command
    .command('list')
    .description('show every catalogue model, its size and where its files are found')
    .action(() => guarded(async () => listModels(await loadSettings())));

  command
    .command('pull')
    .description('download models into the cache, verifying each file; interrupted downloads resume')
    .argument('<names...>', 'catalogue names (see `trellis models list`)')
    .action((names: string[]) => guarded(async () => pullModels(names, await loadSettings())));

  command
    .command('verify')
    .description('rehash model files and compare them with the catalogue (all models found, when none is named)')
    .argument('[names...]', 'catalogue names; defaults to every model present')
    .action((names: string[]) => guarded(async () => verifyModels(names, await loadSettings())));

  return command;
}

async function listModels(settings: ModelsCommandSettings): Promise<void> {
  const rows = await Promise.all(
    ASSET_CATALOGUE.map(async (entry) => {
      const placement = await locateAsset(entry, settings);
      const incomplete = placement !== undefined && placement.missing.length > 0;
      const location = !placement ? 'missing' : incomplete ? `${placement.source} (incomplete)` : placement.source;
      return [entry.name, entry.kind, formatBytes(assetBytes(entry)), location, entry.isDefault ? '*' : ''];
    }),
  );
  process.stdout.write(table([['NAME', 'KIND', 'SIZE', 'LOCATION', 'DEFAULT'], ...rows]));
}

async function pullModels(names: readonly string[], settings: ModelsCommandSettings): Promise<void> {
  // Unknown names fail before anything is downloaded.
  const entries = names.map((name) => findAsset(name));
  let failed = 0;
  for (const entry of entries) {
    // gracefulExit off: cli-progress would otherwise swallow Ctrl-C; the .part files make stopping safe.
    const bars = new cliProgress.MultiBar(
      { format: ' {bar} {percentage}% | {done}/{size} | {label}', clearOnComplete: false, gracefulExit: false },
      cliProgress.Presets.shades_classic,
    );
    try {
      const pulled = await pullAsset(entry.name, { ...settings, onProgress: progressTo(bars) });
      stopBars(bars);
      process.stdout.write(`pulled ${entry.name} (${formatBytes(assetBytes(entry))}) into ${pulled.dir}\n`);
    } catch (error) {
      stopBars(bars);
      failed += 1;
      reportError(error);
    }
  }
  if (failed > 0) process.exitCode = 1;
}

// Stopping bars that never drew prints a stray newline (always the case off a TTY, where nothing draws).
function stopBars(bars: cliProgress.MultiBar): void {
  if (bars.isActive) bars.stop();
}

/** One bar per file, created when its first progress event arrives. */
function progressTo(bars: cliProgress.MultiBar): (event: AssetProgress) => void {
  const byFile = new Map<string, cliProgress.SingleBar>();
  return (event) => {
    const key = `${event.asset}/${event.file}`;
    const payload = { label: key, done: formatBytes(event.receivedBytes), size: formatBytes(event.totalBytes) };
    let bar = byFile.get(key);
    if (!bar) {
      bar = bars.create(event.totalBytes, event.receivedBytes, payload);
      byFile.set(key, bar);
    }
    bar.update(event.receivedBytes, payload);
  };
}

async function verifyModels(names: readonly string[], settings: ModelsCommandSettings): Promise<void> {
  const explicit = names.length > 0;
  const entries: readonly AssetEntry[] = explicit ? names.map((name) => findAsset(name)) : ASSET_CATALOGUE;
  let failed = 0;
  for (const entry of entries) {
    const result = await verifyAsset(entry.name, settings);
    // An asset that is simply not installed is no corruption, unless the user asked about it by name.
    if (result.source === 'missing' && !explicit) {
      process.stdout.write(`-  ${entry.name}: not installed\n`);
      continue;
    }
    if (!result.ok) failed += 1;
    process.stdout.write(describeVerification(result));
  }
  if (failed > 0) {
    process.stderr.write(`error ASSET_CHECKSUM_MISMATCH: ${failed} model(s) failed verification\n`);
    process.stderr.write(
      'hint: Run `trellis models pull <name>` for each model above (it replaces damaged cache files), ' +
        'or fix the files in TRELLIS_MODELS_DIR.\n',
    );
    process.exitCode = 1;
  }
}

function describeVerification(result: AssetVerification): string {
  if (result.source === 'missing') return `✖  ${result.name}: not found in the models dir or the cache\n`;
  const head = `${result.ok ? '✔' : '✖'}  ${result.name}: ${result.source} ${result.dir}\n`;
  const problems = result.files
    .filter((file) => file.status !== 'ok')
    .map((file) =>
      file.status === 'missing'
        ? `     missing  ${file.path}\n`
        : `     mismatch ${file.path}: sha256 ${file.actualSha256} (${file.actualBytes} bytes), ` +
          `expected ${file.expectedSha256} (${file.expectedBytes} bytes)\n`,
    );
  return head + problems.join('');
}

async function guarded(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    reportError(error);
    process.exitCode = 1;
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd() + '\n').join('');
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
