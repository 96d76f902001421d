package io.benchline.stations.app;

import io.benchline.stations.model.Link;
import io.benchline.stations.model.Pointer;
import io.benchline.stations.model.Station;

import java.util.List;

/** A station with its links and pointers, as use cases return it; {@code agentToken} only on creation. */
public record StationDetails(Station station, List<Link> links, List<Pointer> pointers, String agentToken) {
}
