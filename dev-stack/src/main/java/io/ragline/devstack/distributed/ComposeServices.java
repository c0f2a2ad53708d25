package io.ragline.devstack.distributed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The ragline services of {@code docker-compose.yml} (bundled in the jar at build time): which role
 * each runs and the environment compose gives it. The distributed platform on one machine starts
 * its role processes with exactly these variables, so that what runs here is what compose runs;
 * only addresses differ (a compose service name becomes a local port).
 */
public final class ComposeServices {
    /** Where the build puts the repository's docker-compose.yml inside the jar. */
    public static final String RESOURCE = "ragline/deploy/docker-compose.yml";
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?}");

    /** One compose service that runs {@code ragline serve <role>}. */
    public record Service(String name, String role, Map<String, String> environment) {
    }

    private final List<Service> services;

    private ComposeServices(List<Service> services) {
        this.services = services;
    }

    public static ComposeServices bundled(Function<String, String> shell) {
        try (InputStream in = ComposeServices.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path; rebuild with ./mvnw package");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), shell);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param shell what compose would take from the shell or {@code .env} for {@code ${VAR:-default}};
     *              null answers give the default, as compose does
     */
    @SuppressWarnings("unchecked")
    public static ComposeServices parse(String yaml, Function<String, String> shell) {
        Map<String, Object> root = new Yaml(new LoaderOptions()).load(yaml);
        Map<String, Object> all = (Map<String, Object>) root.get("services");
        List<Service> found = new ArrayList<>();
        all.forEach((name, value) -> {
            Map<String, Object> service = (Map<String, Object>) value;
            if (!(service.get("command") instanceof List<?> command) || command.size() != 2
                    || !"serve".equals(command.get(0))) {
                return;
            }
            Map<String, String> env = new LinkedHashMap<>();
            Object environment = service.get("environment");
            if (environment instanceof Map<?, ?> map) {
                map.forEach((k, v) -> env.put(k.toString(), interpolate(v == null ? "" : v.toString(), shell)));
            } else if (environment != null) {
                throw new IllegalArgumentException("service " + name + ": write environment as a mapping");
            }
            found.add(new Service(name, command.get(1).toString(), env));
        });
        return new ComposeServices(List.copyOf(found));
    }

    static String interpolate(String value, Function<String, String> shell) {
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String fromShell = shell.apply(m.group(1));
            boolean useDefault = fromShell == null || (fromShell.isEmpty() && m.group(2) != null && m.group(2).startsWith(":"));
            String replacement = useDefault ? (m.group(3) == null ? "" : m.group(3)) : fromShell;
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString().replace("$$", "$");
    }

    public List<Service> all() {
        return services;
    }

    /** The services running {@code role}, in file order (embedder-1, embedder-2, ...). */
    public List<Service> ofRole(String role) {
        List<Service> of = services.stream().filter(s -> s.role().equals(role)).toList();
        if (of.isEmpty()) {
            throw new IllegalStateException("docker-compose.yml has no service running 'serve " + role + "'");
        }
        return of;
    }
}
