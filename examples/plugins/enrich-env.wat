;; enrich-env: a manager plugin (MANAGER_PLUGIN_DIR) that adds PLUGIN_ENRICHED=yes to the env of every task created,
;; and says so on stdout, which the manager logs line by line under the plugin's name.
;;
;; enrich_task(ptr, len) answers (out_ptr << 32) | out_len pointing at the 33 bytes of {"env":{"PLUGIN_ENRICHED":"yes"}};
;; the host frees the answer with plugin_free, which leaves this static text alone (it is not the top heap block).
;; It has no authorize hook, so it permits everything (the manager logs a warning saying so).
;; Compile with `wasm-tools parse enrich-env.wat -o enrich-env.wasm` (or wat2wasm).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; A bump allocator: plugin_alloc takes from the top, plugin_free of the top-most block gives it back. The host
  ;; frees the request right after the call, so the heap does not grow from call to call.
  (global $top (mut i32) (i32.const 16384))

  (func $align (param $len i32) (result i32)
    (i32.and (i32.add (local.get $len) (i32.const 7)) (i32.const -8)))

  (func (export "plugin_alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local $end i32)
    (if (i32.le_s (local.get $len) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $ptr (global.get $top))
    (local.set $end (i32.add (local.get $ptr) (call $align (local.get $len))))
    ;; Grow the memory when the block does not fit; 0 tells the host the allocation failed.
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq
              (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $top (local.get $end))
    (local.get $ptr))

  (func (export "plugin_free") (param $ptr i32) (param $len i32)
    (if (i32.eq (i32.add (local.get $ptr) (call $align (local.get $len))) (global.get $top))
      (then (global.set $top (local.get $ptr)))))

  (data (i32.const 1024) "{\"env\":{\"PLUGIN_ENRICHED\":\"yes\"}}")
  (data (i32.const 1152) "enrich-env: added PLUGIN_ENRICHED=yes\n")
  ;; One iovec at 1280: buffer 1152 (0x480), length 38; fd_write stores the count written at 1288.
  (data (i32.const 1280) "\80\04\00\00\26\00\00\00")

  (func (export "enrich_task") (param $ptr i32) (param $len i32) (result i64)
    (drop (call $fd_write (i32.const 1) (i32.const 1280) (i32.const 1) (i32.const 1288)))
    (i64.or (i64.shl (i64.const 1024) (i64.const 32)) (i64.const 33)))
)
