// A small stand-in for the wasmtime CLI on Node 20's built-in WASI, taking the argv the proplet's host runtime
// passes: run [--invoke NAME] [--dir D]... [--env K=V]... <module.wasm> [args...]
// Without --invoke it runs the core module's _start (args become the guest's argv); with --invoke it calls that
// export with integer/float args and prints each result on its own line. Components are not supported.

// node:wasi prints an ExperimentalWarning on stderr when loaded; stderr belongs to the guest here.
process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');
const { readFile } = await import('node:fs/promises');
const { basename } = await import('node:path');

function usage(message) {
  process.stderr.write(`node-wasi-run: ${message}\n` +
    'usage: node-wasi-run.mjs [run] [--invoke NAME] [--dir HOST[::GUEST]]... [--env K=V]... <module.wasm> [args...]\n');
  process.exit(2);
}

function parse(argv) {
  const options = { invoke: null, dirs: {}, env: {}, file: null, args: [] };
  let i = argv[0] === 'run' ? 1 : 0;
  const value = (flag, inline) => {
    if (inline !== undefined) return inline;
    if (i + 1 >= argv.length) usage(`${flag} needs a value`);
    return argv[++i];
  };
  for (; i < argv.length && options.file === null; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (flag === '--invoke') {
      options.invoke = value(flag, inline);
    } else if (flag === '--dir') {
      const [host, guest] = value(flag, inline).split('::');
      options.dirs[guest ?? host] = host;
    } else if (flag === '--env') {
      const pair = value(flag, inline);
      const at = pair.indexOf('=');
      if (at > 0) options.env[pair.slice(0, at)] = pair.slice(at + 1);
      else if (process.env[pair] !== undefined) options.env[pair] = process.env[pair];
    } else if (arg.startsWith('-')) {
      usage(`unsupported option ${arg}`);
    } else {
      options.file = arg;
    }
  }
  if (options.file === null) usage('no module given');
  options.args = argv.slice(i);
  return options;
}

// i64 parameters need BigInt; the JS API does not expose parameter types, so retry with BigInts on a type error.
function call(fn, args) {
  const numbers = args.map((a) => {
    const n = Number(a);
    if (a.trim() === '' || Number.isNaN(n) && a.trim().toLowerCase() !== 'nan') usage(`'${a}' is not a number`);
    return n;
  });
  try {
    return fn(...numbers);
  } catch (e) {
    if (!(e instanceof TypeError) || !/BigInt/.test(e.message)) throw e;
    return fn(...args.map((a) => (/^[+-]?\d+$/.test(a.trim()) ? BigInt(a.trim()) : Number(a))));
  }
}

const options = parse(process.argv.slice(2));
const wasi = new WASI({
  version: 'preview1',
  args: [basename(options.file), ...(options.invoke === null ? options.args : [])],
  env: options.env,
  preopens: options.dirs,
  returnOnExit: true,
});

try {
  const module = await WebAssembly.compile(await readFile(options.file));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const exports = instance.exports;
  if (options.invoke === null) {
    process.exitCode = wasi.start(instance);
  } else {
    // A reactor (or a library module with memory) gets WASI set up; a command's _start is not run.
    if (typeof exports._start !== 'function' && exports.memory instanceof WebAssembly.Memory) {
      wasi.initialize(instance);
    }
    const fn = exports[options.invoke];
    if (typeof fn !== 'function') usage(`no exported function '${options.invoke}'`);
    const result = call(fn, options.args);
    for (const value of result === undefined ? [] : Array.isArray(result) ? result : [result]) {
      process.stdout.write(`${value}\n`);
    }
  }
} catch (e) {
  process.stderr.write(`error: ${e?.message ?? e}\n`);
  process.exitCode = 1;
}
