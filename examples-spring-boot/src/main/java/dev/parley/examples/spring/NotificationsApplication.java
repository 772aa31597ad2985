package dev.parley.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A notifications service on Spring Boot with parley-spring-boot-starter: browsers and apps connect
 * with the official Socket.IO client and a user name, back-end services {@code POST /notify/{user}},
 * and each notification reaches every connected tab of that user. Socket.IO, the REST endpoint,
 * {@code /actuator/health} and {@code /actuator/prometheus} share Boot's port (8080 by default;
 * {@code scripts/notifications.sh} runs it).
 */
@SpringBootApplication
public class NotificationsApplication {
  /** Starts the service. */
  public static void main(String[] args) {
    SpringApplication.run(NotificationsApplication.class, args);
  }
}
