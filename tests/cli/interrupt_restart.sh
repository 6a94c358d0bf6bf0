#!/usr/bin/env bash
# interrupt_restart.sh DYNLEARN DECK NAME
# A run stopped by SIGTERM writes a checkpoint and exits with code 5; run
# again with --restart it ends with exactly the results of a run never
# stopped (same loss history, parameters and test errors, bit for bit).
set -u
dynlearn=$1; deck=$2; name=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
sed 's|^output_dir = .*|output_dir = "'"$work"'/ref"|' "$deck" > "$work/ref.toml"
sed 's|^output_dir = .*|output_dir = "'"$work"'/cut"|; s|^epochs = .*|epochs = 1500|' "$deck" > "$work/cut.toml"
sed 's|^output_dir = .*|output_dir = "'"$work"'/ref1500"|; s|^epochs = .*|epochs = 1500|' "$deck" > "$work/ref1500.toml"
"$dynlearn" run -q "$work/ref1500.toml" || { echo "FAIL: reference run failed"; exit 1; }
"$dynlearn" run "$work/cut.toml" > "$work/cut.log" 2>&1 &
pid=$!
# Stop it once it is training (the first checkpoint exists), well before the end.
# compgen, not ls: the run deletes all but its last two checkpoints, and ls
# fails on a name the glob listed just before its deletion.
for _ in $(seq 1 200); do compgen -G "$work/cut/${name}_checkpoint_*.h5" >/dev/null && break; sleep 0.05; done
sleep 0.3
kill -TERM $pid
wait $pid; code=$?
cat "$work/cut.log"
[[ $code -eq 5 ]] || { echo "FAIL: interrupted run exited with $code, expected 5"; exit 1; }
grep -q "continue with" "$work/cut.log" || { echo "FAIL: no restart hint printed"; exit 1; }
"$dynlearn" run -q --restart "$work/cut.toml" || { echo "FAIL: restart failed"; exit 1; }
for object in /history/loss /history/learning_rate /model/parameters /evaluate/error; do
  h5diff "$work/ref1500/${name}_output.h5" "$work/cut/${name}_output.h5" $object ||
    { echo "FAIL: $object differs after restart"; exit 1; }
done
echo "ok: interrupted at $(grep -o 'stopped at epoch [0-9]*' "$work/cut.log"), restarted, identical results"
