package io.ragline.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

/** Opens the metadata database: a connection pool with the schema migrated by Flyway. */
public final class Database {
    private Database() {
    }

    public static HikariDataSource open(String jdbcUrl, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("ragline-metadata");
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            // modules add their own migrations (core V1.., operations V100..): apply a lower one that
            // arrives after a higher one instead of refusing to start
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").outOfOrder(true).load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return dataSource;
    }
}
