{{/* The release's full name, at most 63 characters. */}}
{{- define "iiif-aws.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "iiif-aws.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "iiif-aws.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "iiif-aws.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "iiif-aws.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "iiif-aws.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
What the operator does in each namespace it watches: watches IiifJobs, patches their finalizers
(JSON patch; it reads a job again when a patch conflicts) and status, deletes them after
ttlSecondsAfterFinished, and creates Events. The operator checks for each of these verbs before
it reconciles (io.iiifaws.operator.Permissions) and names any that is missing.
*/}}
{{- define "iiif-aws.jobRules" -}}
- apiGroups: ["iiif-aws.io"]
  resources: ["iiifjobs"]
  verbs: ["get", "list", "watch", "patch", "delete"]
- apiGroups: ["iiif-aws.io"]
  resources: ["iiifjobs/status"]
  verbs: ["patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
