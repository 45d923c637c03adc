# syntax=docker/dockerfile:1
#
# Build:  docker build -t college .
# Run:    docker run --rm -p 8080:8080 -v college-data:/data college
#
# The binary is fully static (CGO_ENABLED=0; SQLite is the pure-Go driver), so
# the runtime image is distroless/static: no shell, no package manager,
# CA certificates and tzdata included, runs as uid/gid 65532 (nonroot).

ARG GO_VERSION=1.26

# ---------------------------------------------------------------- build ----
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build

WORKDIR /src

# Dependencies first, so this layer is reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .

ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH:-amd64} \
    go build -trimpath -buildvcs=false -ldflags='-s -w' -o /out/college ./app \
 && mkdir -p /out/data

# -------------------------------------------------------------- runtime ----
FROM gcr.io/distroless/static-debian12:nonroot

WORKDIR /

COPY --from=build /out/college /college
COPY configs/ /configs/
# /data must exist and belong to nonroot before VOLUME, or a fresh named
# volume would be created root-owned and unwritable.
COPY --from=build --chown=65532:65532 /out/data /data

ENV COLLEGE_DATA_DIR=/data
VOLUME /data
EXPOSE 8080

USER nonroot:nonroot
ENTRYPOINT ["/college"]
CMD ["serve"]
