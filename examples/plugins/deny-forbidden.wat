;; deny-forbidden: a manager plugin (MANAGER_PLUGIN_DIR) that refuses every action on a task whose name starts
;; with "forbidden", with the reason "name is forbidden by policy"; the API answers 403 with that reason.
;;
;; The ABI (docs/architecture.md, "Plugins"): the host writes the request JSON into a buffer from plugin_alloc and
;; calls authorize(ptr, len); the answer is (out_ptr << 32) | out_len, and a length of 0 means "allow".
;; The request is {"context":{...},"task":{"id":"<uuid>","name":"<name>",...}}: the manager writes "id" and then
;; "name" first in the task, and a string value never holds an unescaped quote, so the first "task":{"id":" in
;; the request is the task itself and its name follows the id's closing quote.
;; Compile with `wasm-tools parse deny-forbidden.wat -o deny-forbidden.wasm` (or wat2wasm).
(module
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

  (data (i32.const 1024) "\"task\":{\"id\":\"")
  (data (i32.const 1088) ",\"name\":\"forbidden")
  (data (i32.const 1152) "{\"allow\":false,\"reason\":\"name is forbidden by policy\"}")

  ;; Whether the $n bytes at $at equal those at $pattern, without reading at or past $end.
  (func $matches (param $at i32) (param $end i32) (param $pattern i32) (param $n i32) (result i32)
    (local $i i32)
    (if (i32.gt_u (i32.add (local.get $at) (local.get $n)) (local.get $end)) (then (return (i32.const 0))))
    (block $differ
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne
          (i32.load8_u (i32.add (local.get $at) (local.get $i)))
          (i32.load8_u (i32.add (local.get $pattern) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  (func (export "authorize") (param $ptr i32) (param $len i32) (result i64)
    (local $end i32)
    (local $at i32)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $at (local.get $ptr))
    ;; Find "task":{"id":" ...
    (block $found
      (loop $scan
        (if (i32.ge_u (local.get $at) (local.get $end)) (then (return (i64.const 0))))
        (br_if $found (call $matches (local.get $at) (local.get $end) (i32.const 1024) (i32.const 14)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $scan)))
    ;; ... skip the id up to its closing quote ...
    (local.set $at (i32.add (local.get $at) (i32.const 14)))
    (block $closed
      (loop $id
        (if (i32.ge_u (local.get $at) (local.get $end)) (then (return (i64.const 0))))
        (br_if $closed (i32.eq (i32.load8_u (local.get $at)) (i32.const 34)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $id)))
    ;; ... and refuse when ,"name":"forbidden follows: answer the 54 bytes at 1152.
    (if (call $matches (i32.add (local.get $at) (i32.const 1)) (local.get $end) (i32.const 1088) (i32.const 18))
      (then (return (i64.or (i64.shl (i64.const 1152) (i64.const 32)) (i64.const 54)))))
    (i64.const 0))
)
