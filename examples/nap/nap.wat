;; nap(ms: i64) -> i32: sleeps for `ms` milliseconds through WASI's poll_oneoff (a clock subscription), then
;; returns 42. A task that takes a known time without burning CPU, for recovery and scheduling tests.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "nap") (param $ms i64) (result i32)
    ;; One subscription at offset 0: userdata (8 bytes), tag 0 = clock at 8, clock id 1 = monotonic at 16,
    ;; timeout in ns at 24, precision at 32, flags 0 (relative) at 40. The event goes to 64, the count to 128.
    (i64.store (i32.const 0) (i64.const 0))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.mul (local.get $ms) (i64.const 1000000)))
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 0))
    (drop (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
    (i32.const 42)))
