;; A WASI preview 2 command component, written by hand in the component text format: its `wasi:cli/run` export
;; writes a line to stdout and a warning to stderr, then returns ok. It imports only what it uses: the
;; stream and error resources, `blocking-write-and-flush`, and `get-stdout`/`get-stderr`.
(component $C
  (import "wasi:io/error@0.2.0" (instance $io-error
    (export "error" (type (sub resource)))))
  (alias export $io-error "error" (type $error))

  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer $C $error (type $outer-error))
    (export "error" (type $error (eq $outer-error)))
    (export "output-stream" (type $output-stream (sub resource)))
    (type $stream-error (variant (case "last-operation-failed" (own $error)) (case "closed")))
    (export "stream-error" (type $stream-error-export (eq $stream-error)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $output-stream)) (param "contents" (list u8))
        (result (result (error $stream-error-export)))))))
  (alias export $streams "output-stream" (type $output-stream))

  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer $C $output-stream (type $outer-stream))
    (export "output-stream" (type $stream (eq $outer-stream)))
    (export "get-stdout" (func (result (own $stream))))))
  (import "wasi:cli/stderr@0.2.0" (instance $stderr
    (alias outer $C $output-stream (type $outer-stream))
    (export "output-stream" (type $stream (eq $outer-stream)))
    (export "get-stderr" (func (result (own $stream))))))

  ;; The memory lives in its own module so the lowered write can name it before the main module exists.
  (core module $Memory (memory (export "memory") 1))
  (core instance $memory (instantiate $Memory))

  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $write))
  (alias export $stdout "get-stdout" (func $get-stdout))
  (alias export $stderr "get-stderr" (func $get-stderr))
  (core func $write-lowered (canon lower (func $write) (memory (core memory $memory "memory"))))
  (core func $get-stdout-lowered (canon lower (func $get-stdout)))
  (core func $get-stderr-lowered (canon lower (func $get-stderr)))
  (core func $drop-stream (canon resource.drop $output-stream))

  (core module $Main
    (import "host" "memory" (memory 1))
    ;; (stream handle, bytes pointer, bytes length, pointer to the result) -> ()
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "get-stderr" (func $get-stderr (result i32)))
    (import "host" "drop-stream" (func $drop-stream (param i32)))
    (data (i32.const 16) "Hello from a WASI P2 component\n")
    (data (i32.const 64) "warning: this line went to stderr")

    (func $print (param $stream i32) (param $text i32) (param $length i32)
      (call $write (local.get $stream) (local.get $text) (local.get $length) (i32.const 0))
      (call $drop-stream (local.get $stream)))

    ;; run() -> result: 0 is ok.
    (func (export "run") (result i32)
      (call $print (call $get-stdout) (i32.const 16) (i32.const 31))
      (call $print (call $get-stderr) (i32.const 64) (i32.const 33))
      (i32.const 0)))

  (core instance $host
    (export "memory" (memory $memory "memory"))
    (export "write" (func $write-lowered))
    (export "get-stdout" (func $get-stdout-lowered))
    (export "get-stderr" (func $get-stderr-lowered))
    (export "drop-stream" (func $drop-stream)))
  (core instance $main (instantiate $Main (with "host" (instance $host))))

  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-instance)))
