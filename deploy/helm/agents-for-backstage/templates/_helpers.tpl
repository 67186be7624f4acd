{{/* Labels on every object; kustomize's base sets only the first one. */}}
{{- define "afb.labels" -}}
app.kubernetes.io/part-of: agents-for-backstage
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/* The Backstage pods' labels (selector, NetworkPolicy peer). */}}
{{- define "afb.backstageSelector" -}}
app.kubernetes.io/name: backstage
app.kubernetes.io/component: backend
{{- end }}

{{/* The selector of every harness pod the backend creates. */}}
{{- define "afb.harnessSelector" -}}
app.kubernetes.io/managed-by: backstage-agents
{{- end }}

{{/* Private, shared and link-local ranges no profile may reach. */}}
{{- define "afb.publicIpBlocks" -}}
- ipBlock:
    cidr: 0.0.0.0/0
    except:
      - 10.0.0.0/8
      - 100.64.0.0/10
      - 169.254.0.0/16
      - 172.16.0.0/12
      - 192.168.0.0/16
- ipBlock:
    cidr: ::/0
    except:
      - fc00::/7
      - fe80::/10
{{- end }}

{{/* The cluster DNS as a NetworkPolicy peer. */}}
{{- define "afb.dnsPeer" -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ .Values.networkPolicies.dns.namespace }}
  podSelector:
    matchLabels:
      {{- toYaml .Values.networkPolicies.dns.podLabels | nindent 6 }}
{{- end }}

{{/* A restricted container security context. */}}
{{- define "afb.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The egress proxy's ConfigMap data: squid.conf and the domain allowlist. */}}
{{- define "afb.egressProxyConfig" -}}
squid.conf: |
  {{- .Files.Get "files/squid.conf" | nindent 2 }}
domains.txt: |
  {{- range concat .Values.egressProxy.allowedDomains .Values.egressProxy.modelProviderDomains }}
  {{ . }}
  {{- end }}
{{- end }}
