{{/* Names, labels and the pieces every pod of the site shares. */}}

{{/* The chart's name, at most 63 characters (a DNS label). */}}
{{- define "annex-site.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's base name; components append "-api", "-dimse", … to it. */}}
{{- define "annex-site.fullname" -}}
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

{{/* A component's resource name: (dict "root" $ "component" "api"). */}}
{{- define "annex-site.componentName" -}}
{{- printf "%s-%s" (include "annex-site.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "annex-site.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "annex-site.selectorLabels" -}}
app.kubernetes.io/name: {{ include "annex-site.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "annex-site.labels" -}}
helm.sh/chart: {{ include "annex-site.chart" . }}
{{ include "annex-site.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: annex
{{- end }}

{{/* Labels of one component: (dict "root" $ "component" "api"). */}}
{{- define "annex-site.componentSelectorLabels" -}}
{{ include "annex-site.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "annex-site.componentLabels" -}}
{{ include "annex-site.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The Secret the chart creates from values (trials); unused where every secret names an existingSecret. */}}
{{- define "annex-site.secretName" -}}
{{- include "annex-site.fullname" . }}
{{- end }}

{{- define "annex-site.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "annex-site.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image: digest wins over tag; the tag defaults to the chart's appVersion. */}}
{{- define "annex-site.image" -}}
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
{{- define "annex-site.secretKeyRef" -}}
{{- if .secret.existingSecret.name -}}
name: {{ .secret.existingSecret.name }}
key: {{ .secret.existingSecret.key }}
{{- else -}}
name: {{ include "annex-site.secretName" .root }}
key: {{ .key }}
{{- end }}
{{- end }}

{{/* Pod-level settings of every site pod: restricted Pod Security, no API token, no service links. */}}
{{- define "annex-site.podSettings" -}}
serviceAccountName: {{ include "annex-site.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- include "annex-site.podSecurityContext" . | nindent 2 }}
{{- end }}

{{/* The image runs as uid/gid 10001; fsGroup makes the mounted key files readable by it. */}}
{{- define "annex-site.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Pod Security Standard "restricted", plus a read-only root file system (/tmp is an emptyDir). */}}
{{- define "annex-site.containerSecurityContext" -}}
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
{{- define "annex-site.podAnnotations" -}}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The environment every site role reads (siteEnvSchema in services/site/src/config.ts). ROLES and the
role's own settings are set by each Deployment.
*/}}
{{- define "annex-site.env" -}}
# The image would migrate on start; here the pre-install/pre-upgrade Job does, once per release.
- name: MIGRATE_ON_START
  value: "0"
- name: LOG_LEVEL
  value: {{ .Values.site.logLevel | quote }}
- name: HTTP_PORT
  value: "8080"
- name: PUBLIC_URL
  value: {{ required "site.publicUrl: set the URL users open the site at (https://annex.hospital.example)" .Values.site.publicUrl | quote }}
- name: WEB_ORIGINS
  value: {{ .Values.site.webOrigins | default (list .Values.site.publicUrl) | join "," | quote }}
- name: QUEUE_PREFIX
  value: {{ .Values.site.queuePrefix | quote }}
- name: UPLOAD_MAX_BYTES
  value: {{ .Values.site.uploadMaxBytes | int64 | quote }}
- name: ANNOTATOR_NAMES_TO_CLOUD
  value: {{ .Values.site.annotatorNamesToCloud | toString | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- include "annex-site.secretKeyRef" (dict "root" . "secret" .Values.postgres.url "key" "DATABASE_URL") | nindent 6 }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      {{- include "annex-site.secretKeyRef" (dict "root" . "secret" .Values.redis.url "key" "REDIS_URL") | nindent 6 }}
- name: S3_ENDPOINT
  value: {{ required "s3.endpoint: set the S3 server's URL (https://s3.hospital.example)" .Values.s3.endpoint | quote }}
- name: S3_BUCKET
  value: {{ .Values.s3.bucket | quote }}
- name: S3_REGION
  value: {{ .Values.s3.region | quote }}
- name: S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      {{- include "annex-site.secretKeyRef" (dict "root" . "secret" .Values.s3.accessKey "key" "S3_ACCESS_KEY") | nindent 6 }}
- name: S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      {{- include "annex-site.secretKeyRef" (dict "root" . "secret" .Values.s3.secretKey "key" "S3_SECRET_KEY") | nindent 6 }}
- name: OIDC_ISSUER
  value: {{ required "oidc.issuer: set the site realm's issuer URL (https://keycloak.hospital.example/realms/annex-site)" .Values.oidc.issuer | quote }}
- name: OIDC_AUDIENCE
  value: {{ .Values.oidc.audience | quote }}
- name: OIDC_CLIENTS
  value: {{ .Values.oidc.clients | join "," | quote }}
{{- if .Values.oidc.jwksUrl }}
- name: OIDC_JWKS_URL
  value: {{ .Values.oidc.jwksUrl | quote }}
{{- end }}
- name: SITE_SECRET
  valueFrom:
    secretKeyRef:
      {{- include "annex-site.secretKeyRef" (dict "root" . "secret" .Values.siteSecret "key" "SITE_SECRET") | nindent 6 }}
{{- if .Values.caBundle.configMapName }}
# Read by Node itself: trust the hospital's CA for S3, OIDC and Postgres TLS.
- name: NODE_EXTRA_CA_CERTS
  value: /etc/annex/ca/ca.crt
{{- end }}
{{- end }}

{{/*
SHUTDOWN_GRACE_MS from a pod's terminationGracePeriodSeconds less 5 s, so the process finishes its
in-flight work and exits before the kubelet kills it: (include … .Values.api.terminationGracePeriodSeconds).
*/}}
{{- define "annex-site.shutdownGraceMs" -}}
{{- mul (max 0 (sub (int .) 5)) 1000 }}
{{- end }}

{{/* Volumes every site pod mounts: (dict "root" $ "tmpSizeLimit" "1Gi"). */}}
{{- define "annex-site.volumes" -}}
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

{{- define "annex-site.volumeMounts" -}}
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
{{- define "annex-site.egressRule" -}}
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
{{- define "annex-site.dnsEgressRule" -}}
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
