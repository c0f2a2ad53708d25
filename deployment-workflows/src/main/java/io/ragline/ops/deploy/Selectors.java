package io.ragline.ops.deploy;

import java.util.StringJoiner;

/**
 * The PromQL label matchers that select the pods under analysis, as the shipped ServiceMonitor labels
 * their series ({@code namespace}, {@code service} = the Service's name, {@code pod}); what
 * {@link AnalysisActivities#measure} puts in place of {@code {{selector}}}. Pure string building:
 * workflow code calls it.
 */
final class Selectors {
    private Selectors() {
    }

    /** Every pod behind Service {@code service}. */
    static String service(String namespace, String service) {
        return "namespace=\"" + namespace + "\",service=\"" + service + "\"";
    }

    /** The pods of Deployment {@code <service>-<track>} (pod names are {@code <deployment>-<hash>-<id>}). */
    static String copy(String namespace, String service, String track) {
        return service(namespace, service) + ",pod=~\"" + service + "-" + track + "-.+\"";
    }

    /** StatefulSet pods {@code <service>-<from>} to {@code <service>-<to - 1>}. */
    static String ordinals(String namespace, String service, int from, int to) {
        StringJoiner ordinals = new StringJoiner("|", "(", ")");
        for (int i = from; i < to; i++) {
            ordinals.add(Integer.toString(i));
        }
        return service(namespace, service) + ",pod=~\"" + service + "-" + ordinals + "\"";
    }
}
