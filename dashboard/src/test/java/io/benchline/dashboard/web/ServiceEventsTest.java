package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which procedure a record of the services' topics names, read without building its tree. */
class ServiceEventsTest {
    private final ServiceEvents events = new ServiceEvents(null, new ObjectMapper());

    @Test
    void theProcedureIsDataProcedureIdWhereverDataStands() {
        assertThat(events.procedureOf("""
                {"specversion":"1.0","id":"e1","source":"/deployment-service","type":"io.benchline.deployment.changed",
                 "extra":{"procedure_id":"prc_not_this","list":[{"procedure_id":"prc_nor_this"}]},
                 "data":{"deployment_id":"dep_1","artifact":{"procedure_id":"prc_nested"},"procedure_id":"prc_1",
                         "later":[1,2,{"x":null}]},
                 "time":"2026-12-03T12:00:00Z"}""")).isEqualTo("prc_1");
        assertThat(events.procedureOf("{\"data\":{\"procedure_id\":\"prc_2\"},\"id\":\"e2\"}")).isEqualTo("prc_2");
    }

    @Test
    void aRecordThatNamesNoProcedureIsNull() {
        assertThat(events.procedureOf("{\"data\":{\"artifact\":{\"procedure_id\":\"prc_nested\"}}}")).isNull();
        assertThat(events.procedureOf("{\"data\":{\"procedure_id\":\"\"}}")).isNull();
        assertThat(events.procedureOf("{\"data\":{\"procedure_id\":7}}")).isNull();
        assertThat(events.procedureOf("{\"data\":\"prc_text\",\"procedure_id\":\"prc_top\"}")).isNull();
        assertThat(events.procedureOf("[{\"data\":{\"procedure_id\":\"prc_in_array\"}}]")).isNull();
        assertThat(events.procedureOf("{\"data\":{\"procedure_id\":\"prc_cut")).isNull();
        assertThat(events.procedureOf("not json")).isNull();
        assertThat(events.procedureOf("")).isNull();
    }
}
