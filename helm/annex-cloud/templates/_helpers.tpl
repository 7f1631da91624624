{{/* Names, labels and the pieces the cloud's pods share. */}}

{{/* The chart's name, at most 63 characters (a DNS label). */}}
{{- define "annex-cloud.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's base name; components append "-hub", "-migrate" to it. */}}
{{- define "annex-cloud.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's resource name: (dict "root" $ "component" "hub"). */}}
{{- define "annex-cloud.componentName" -}}
{{- printf "%s-%s" (include "annex-cloud.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "annex-cloud.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "annex-cloud.selectorLabels" -}}
app.kubernetes.io/name: {{ include "annex-cloud.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "annex-cloud.labels" -}}
helm.sh/chart: {{ include "annex-cloud.chart" . }}
{{ include "annex-cloud.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: annex
{{- end }}

{{/* Labels of one component: (dict "root" $ "component" "hub"). */}}
{{- define "annex-cloud.componentSelectorLabels" -}}
{{ include "annex-cloud.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "annex-cloud.componentLabels" -}}
{{ include "annex-cloud.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The Secret the chart creates from values (trials); unused where every secret names an existingSecret. */}}
{{- define "annex-cloud.secretName" -}}
{{- include "annex-cloud.fullname" . }}
{{- end }}

{{- define "annex-cloud.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "annex-cloud.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image: digest wins over tag; the tag defaults to the chart's appVersion. */}}
{{- define "annex-cloud.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
A secretKeyRef body for one secret setting { value, existingSecret: { name, key } }:
(dict "root" $ "secret" .Values.postgres.url "key" "DATABASE_URL"). With existingSecret.name the
user's Secret is read; otherwise the chart's own Secret, under the given key.
*/}}
{{- define "annex-cloud.secretKeyRef" -}}
{{- if .secret.existingSecret.name -}}
name: {{ .secret.existingSecret.name }}
key: {{ .secret.existingSecret.key }}
{{- else -}}
name: {{ include "annex-cloud.secretName" .root }}
key: {{ .key }}
{{- end }}
{{- end }}

{{/* Pod-level settings of every cloud pod: restricted Pod Security, no API token, no service links. */}}
{{- define "annex-cloud.podSettings" -}}
serviceAccountName: {{ include "annex-cloud.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- include "annex-cloud.podSecurityContext" . | nindent 2 }}
{{- end }}

{{/* The image runs as uid/gid 10001; fsGroup makes the mounted key files readable by it. */}}
{{- define "annex-cloud.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Pod Security Standard "restricted", plus a read-only root file system (/tmp is an emptyDir). */}}
{{- define "annex-cloud.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Pod annotations: the user's, plus a checksum that rolls the pods when the chart's Secret changes. */}}
{{- define "annex-cloud.podAnnotations" -}}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The cloud's environment (cloudEnvSchema in services/cloud/src/config.ts). */}}
{{- define "annex-cloud.env" -}}
# The image would migrate on start; here the pre-install/pre-upgrade Job does, once per release.
- name: MIGRATE_ON_START
  value: "0"
- name: LOG_LEVEL
  value: {{ .Values.cloud.logLevel | quote }}
- name: HTTP_PORT
  value: "8090"
- name: PUBLIC_URL
  value: {{ required "cloud.publicUrl: set the URL the dashboard and the hub are reached at (https://cloud.annex.example)" .Values.cloud.publicUrl | quote }}
- name: WEB_ORIGINS
  value: {{ .Values.cloud.webOrigins | default (list .Values.cloud.publicUrl) | join "," | quote }}
{{- if .Values.cloud.siteViewerUrls }}
- name: SITE_VIEWER_URLS
  value: {{ include "annex-cloud.siteViewerUrls" . | quote }}
{{- end }}
- name: ORG_GROUP_PREFIX
  value: {{ .Values.cloud.orgGroupPrefix | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- include "annex-cloud.secretKeyRef" (dict "root" . "secret" .Values.postgres.url "key" "DATABASE_URL") | nindent 6 }}
- name: OIDC_ISSUER
  value: {{ required "oidc.issuer: set the cloud realm's issuer URL (https://login.annex.example/realms/annex-cloud)" .Values.oidc.issuer | quote }}
- name: OIDC_AUDIENCE
  value: {{ .Values.oidc.audience | quote }}
- name: OIDC_CLIENTS
  value: {{ .Values.oidc.clients | join "," | quote }}
{{- if .Values.oidc.jwksUrl }}
- name: OIDC_JWKS_URL
  value: {{ .Values.oidc.jwksUrl | quote }}
{{- end }}
- name: CLOUD_SIGNING_KEY_FILE
  value: /run/secrets/annex/signing-key/cloud.key
- name: SYNC_CLOCK_SKEW_MS
  value: {{ .Values.cloud.sync.clockSkewMs | int | quote }}
- name: SYNC_APPLY_BATCH
  value: {{ .Values.cloud.sync.applyBatch | int | quote }}
# Set, not left to the default (cores - 1): in a pod, the core count is the node's, not the CPU limit.
- name: SYNC_VERIFY_THREADS
  value: {{ .Values.cloud.sync.verifyThreads | int | quote }}
- name: SYNC_KEY_CACHE_MS
  value: {{ .Values.cloud.sync.keyCacheMs | int | quote }}
{{- if .Values.caBundle.configMapName }}
# Read by Node itself: trust a private CA for Postgres and OIDC TLS.
- name: NODE_EXTRA_CA_CERTS
  value: /etc/annex/ca/ca.crt
{{- end }}
{{- end }}

{{/* SITE_VIEWER_URLS from the map cloud.siteViewerUrls: siteId=https://viewer…,… */}}
{{- define "annex-cloud.siteViewerUrls" -}}
{{- $pairs := list }}
{{- range $site, $url := .Values.cloud.siteViewerUrls }}
{{- $pairs = append $pairs (printf "%s=%s" $site $url) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}

{{/* Volumes every cloud pod mounts: (dict "root" $ "tmpSizeLimit" "1Gi"). */}}
{{- define "annex-cloud.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .tmpSizeLimit }}
{{- if .root.Values.caBundle.configMapName }}
- name: ca-bundle
  configMap:
    name: {{ .root.Values.caBundle.configMapName }}
    items:
      - key: {{ .root.Values.caBundle.key }}
        path: ca.crt
{{- end }}
{{- end }}

{{- define "annex-cloud.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.caBundle.configMapName }}
- name: ca-bundle
  mountPath: /etc/annex/ca
  readOnly: true
{{- end }}
{{- end }}

{{/*
One egress rule of a NetworkPolicy: (dict "name" "postgres" "target" .Values.networkPolicy.egress.postgres).
An empty "to" would allow every destination, so an unset target is an error, not a wildcard.
*/}}
{{- define "annex-cloud.egressRule" -}}
{{- if not (or .target.cidrs .target.selectors) }}
{{- fail (printf "networkPolicy.egress.%s: set cidrs or selectors (with neither, the rule would allow every destination)" .name) }}
{{- end }}
- to:
    {{- range .target.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
    {{- range .target.selectors }}
    - {{- toYaml . | nindent 6 }}
    {{- end }}
  ports:
    - port: {{ .target.port }}
      protocol: TCP
{{- end }}

{{/* DNS: UDP and TCP 53 to the cluster's resolver (networkPolicy.egress.dns). */}}
{{- define "annex-cloud.dnsEgressRule" -}}
{{- $dns := .Values.networkPolicy.egress.dns }}
{{- if not (or $dns.cidrs $dns.selectors) }}
{{- fail "networkPolicy.egress.dns: set cidrs or selectors for the cluster's DNS resolver" }}
{{- end }}
- to:
    {{- range $dns.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
    {{- range $dns.selectors }}
    - {{- toYaml . | nindent 6 }}
    {{- end }}
  ports:
    - port: {{ $dns.port }}
      protocol: UDP
    - port: {{ $dns.port }}
      protocol: TCP
{{- end }}
