#!/usr/bin/env bash
# Starts kube-sim (API server + process kubelet) and drives it with kubectl the way
# a person would drive a real cluster. Exits non-zero at the first step that misbehaves.
# Run from the repository root after `source scripts/env.sh`:
#   bash packages/kube-sim/scripts/kubectl-smoke.sh
set -euo pipefail

PACKAGE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kube-sim-smoke.XXXXXX")"
export KUBECONFIG="$WORK/kubeconfig"
# Each run gets a new port; keep kubectl's discovery cache out of the user's home.
export KUBECACHEDIR="$WORK/kube-cache"
SIM_PID=""

cleanup() {
  local status=$?
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ]; then
    echo "--- kube-sim output ---" >&2
    cat "$WORK/kube-sim.log" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
expect_in() { # expect_in <file> <extended regex> <description>
  grep -Eq -- "$2" "$1" || { cat "$1" >&2; fail "$3"; }
}

command -v kubectl >/dev/null || fail "kubectl is not on PATH"

step "starting kube-sim"
node "$PACKAGE_DIR/bin/kube-sim" --kubeconfig "$KUBECONFIG" --work-dir "$WORK/pods" >"$WORK/kube-sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 150); do
  if [ -s "$KUBECONFIG" ] && kubectl get --raw /readyz >/dev/null 2>&1 && kubectl get node kube-sim-node >/dev/null 2>&1; then
    break
  fi
  kill -0 "$SIM_PID" 2>/dev/null || fail "kube-sim exited during startup"
  sleep 0.2
done
kubectl get node kube-sim-node >/dev/null 2>&1 || fail "kube-sim did not become ready"
cat "$WORK/kube-sim.log"

step "kubectl get ns"
kubectl get ns | tee "$WORK/ns.txt"
expect_in "$WORK/ns.txt" '^default +Active' "default namespace is listed as Active"

step "kubectl apply -f (namespace, secret, pod, networkpolicy)"
cat >"$WORK/manifest.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: smoke
---
apiVersion: v1
kind: Secret
metadata:
  name: greeting
  namespace: smoke
stringData:
  word: hello
---
apiVersion: v1
kind: Pod
metadata:
  name: looper
  namespace: smoke
  labels:
    app: looper
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
  containers:
    - name: main
      image: busybox:1.36
      command: ["sh", "-c", 'for i in 1 2 3 4 5 6; do echo "$WORD line $i"; sleep 1; done']
      env:
        - name: WORD
          valueFrom:
            secretKeyRef:
              name: greeting
              key: word
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress
  namespace: smoke
spec:
  podSelector:
    matchLabels:
      app: looper
  policyTypes: [Egress]
YAML
kubectl apply -f "$WORK/manifest.yaml" | tee "$WORK/apply.txt"
for created in 'namespace/smoke created' 'secret/greeting created' 'pod/looper created' 'networkpolicy.networking.k8s.io/deny-egress created'; do
  expect_in "$WORK/apply.txt" "$created" "apply reports: $created"
done
kubectl apply -f "$WORK/manifest.yaml" | tee "$WORK/reapply.txt"
expect_in "$WORK/reapply.txt" 'pod/looper unchanged' "re-applying the same manifest changes nothing"

step "kubectl get pods -w (bounded)"
set +e
timeout 4 kubectl get pods -n smoke -w --output-watch-events | tee "$WORK/watch.txt"
watch_status=${PIPESTATUS[0]}
set -e
[ "$watch_status" -eq 124 ] || fail "kubectl get -w ended on its own (status $watch_status)"
expect_in "$WORK/watch.txt" '^ADDED +looper' "the watch reports the pod"
expect_in "$WORK/watch.txt" 'looper +1/1 +Running' "the watch shows the pod Running"

step "kubectl wait --for=condition=Ready"
kubectl wait --for=condition=Ready pod/looper -n smoke --timeout=20s

step "kubectl describe pod"
kubectl describe pod looper -n smoke | tee "$WORK/describe.txt"
expect_in "$WORK/describe.txt" '^Status: +Running' "describe shows Running"
expect_in "$WORK/describe.txt" '^Node: +kube-sim-node/127\.0\.0\.1' "describe shows the node"
expect_in "$WORK/describe.txt" 'Started +container main' "describe shows the Started event"

step "kubectl logs -f"
timeout 30 kubectl logs -f looper -n smoke | tee "$WORK/logs.txt"
for i in 1 2 3 4 5 6; do
  expect_in "$WORK/logs.txt" "^hello line $i\$" "logs contain line $i"
done
# As on a real node, the log stream ends when the process exits; the status update follows.
kubectl wait --for=jsonpath='{.status.phase}'=Succeeded pod/looper -n smoke --timeout=20s
kubectl get pod looper -n smoke | tee "$WORK/done.txt"
expect_in "$WORK/done.txt" 'looper +0/1 +Completed' "get shows the pod Completed"

step "kubectl get secret, networkpolicy"
kubectl get secret greeting -n smoke -o jsonpath='{.data.word}' | base64 -d | grep -qx hello || fail "secret data is base64 of stringData"
kubectl get networkpolicy deny-egress -n smoke

step "kubectl delete pod (finished)"
kubectl delete pod looper -n smoke --timeout=20s
if kubectl get pod looper -n smoke >/dev/null 2>&1; then fail "pod still exists after delete"; fi

step "kubectl delete pod (running: SIGTERM, then the kubelet confirms)"
kubectl run sleeper -n smoke --image=busybox:1.36 --restart=Never -- sleep 300
kubectl wait --for=condition=Ready pod/sleeper -n smoke --timeout=20s
start=$(date +%s)
kubectl delete pod sleeper -n smoke --timeout=20s
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -lt 10 ] || fail "graceful deletion took ${elapsed}s"
if kubectl get pod sleeper -n smoke >/dev/null 2>&1; then fail "running pod still exists after delete"; fi

step "kubectl delete namespace"
kubectl delete namespace smoke --timeout=20s
if kubectl get namespace smoke >/dev/null 2>&1; then fail "namespace still exists after delete"; fi

# kubectl's imperative create commands send protobuf request bodies, not JSON.
step "kubectl create namespace, secret, configmap, serviceaccount (protobuf bodies)"
kubectl create namespace imperative | tee "$WORK/create.txt"
kubectl create secret generic s -n imperative --from-literal=a=b | tee -a "$WORK/create.txt"
kubectl create configmap c -n imperative --from-literal=a=b | tee -a "$WORK/create.txt"
kubectl create serviceaccount robot -n imperative | tee -a "$WORK/create.txt"
for created in 'namespace/imperative created' 'secret/s created' 'configmap/c created' 'serviceaccount/robot created'; do
  expect_in "$WORK/create.txt" "$created" "create reports: $created"
done
[ "$(kubectl get secret s -n imperative -o jsonpath='{.data.a}')" = 'Yg==' ] || fail "secret data is base64 of the literal"
[ "$(kubectl get configmap c -n imperative -o jsonpath='{.data.a}')" = 'b' ] || fail "config map data is the literal"
kubectl delete secret s -n imperative
kubectl delete configmap c -n imperative
if kubectl get secret s -n imperative >/dev/null 2>&1; then fail "secret still exists after delete"; fi
if kubectl get configmap c -n imperative >/dev/null 2>&1; then fail "config map still exists after delete"; fi
kubectl delete namespace imperative --timeout=20s
if kubectl get namespace imperative >/dev/null 2>&1; then fail "namespace still exists after delete"; fi

step "smoke test passed"
