# Container image: build the self-contained binary (SQLite, libpq and OpenSSL compiled in), then
# copy it onto a small base that only has the C library.
#
#   docker build -t talk-breakout .
#   docker run -d --name talk -p 8080:8080 -v talk-data:/var/lib/talk-breakout \
#     -e TALK_ADMIN_USER=admin -e TALK_ADMIN_PASSWORD=change-me talk-breakout
#
# `docker stop` sends SIGTERM: chat long-polls end at once, other requests finish, exit 0.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# The build needs a C compiler, perl and make (for the bundled OpenSSL); the rust image has them.
RUN cargo build --release --locked --bin talk-breakout \
 && strip target/release/talk-breakout

FROM debian:bookworm-slim
RUN useradd --system --home-dir /var/lib/talk-breakout --create-home --shell /usr/sbin/nologin talk
COPY --from=build /src/target/release/talk-breakout /usr/local/bin/talk-breakout
USER talk
WORKDIR /var/lib/talk-breakout
VOLUME /var/lib/talk-breakout
ENV TALK_LISTEN=0.0.0.0:8080 \
    DATABASE_URL=sqlite://talk-breakout.sqlite
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["talk-breakout"]
CMD ["serve"]
