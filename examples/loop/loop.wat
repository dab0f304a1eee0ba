;; loop() never returns: a stop must interrupt it.
(module
  (func (export "loop")
    (loop $forever (br $forever))))
