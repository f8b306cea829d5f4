/* The socket console: no build step, no inline script (the app's CSP allows only its own files). */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  let socket = null;
  let asyncapi = null;
  const joined = new Set();
  const eventTypes = new Set();

  function setStatus(text, state) {
    $('status').textContent = text;
    $('status').dataset.state = state;
  }

  /** The client messages of the selected namespace, from the AsyncAPI document. */
  function clientMessages() {
    if (!asyncapi) return [];
    const namespace = $('namespace').value;
    const channel = Object.values(asyncapi.channels).find((c) => c.address === namespace);
    return channel ? Object.values(channel.messages).filter((m) => m['x-client']) : [];
  }

  function fillMessages() {
    const select = $('message');
    select.textContent = '';
    for (const message of clientMessages()) {
      const option = document.createElement('option');
      option.value = message.name;
      option.textContent = message.name;
      select.appendChild(option);
    }
    showExample();
  }

  function showExample() {
    const message = clientMessages().find((m) => m.name === $('message').value);
    $('message-summary').textContent = message ? message.summary : '';
    const example = message && message.examples ? message.examples[0].payload : {};
    $('payload').value = JSON.stringify(example, null, 2);
  }

  function showAck(name, reply) {
    $('ack').textContent = name + ' → ' + JSON.stringify(reply, null, 2);
  }

  function emit(name, payload) {
    if (!socket || !socket.connected) {
      showAck(name, { error: 'not connected' });
      return Promise.resolve(null);
    }
    return socket
      .timeout(10000)
      .emitWithAck(name, payload)
      .then(
        (reply) => {
          showAck(name, reply);
          return reply;
        },
        (error) => {
          showAck(name, { error: String(error && error.message ? error.message : error) });
          return null;
        },
      );
  }

  function showJoined() {
    $('joined').textContent = [...joined].join(', ');
  }

  function matchesFilter(item) {
    const type = $('filter-type').value;
    const room = $('filter-room').value.trim();
    if (type && item.dataset.event !== type) return false;
    if (room && !item.dataset.rooms.split(',').includes(room)) return false;
    return true;
  }

  function applyFilter() {
    for (const item of $('events').children) item.hidden = !matchesFilter(item);
  }

  function addEvent(name, payload) {
    const envelope = payload && typeof payload === 'object' ? payload : {};
    const rooms = Array.isArray(envelope.rooms) ? envelope.rooms : [];
    if (!eventTypes.has(name)) {
      eventTypes.add(name);
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      $('filter-type').appendChild(option);
    }
    const item = document.createElement('li');
    item.dataset.event = name;
    item.dataset.rooms = rooms.join(',');
    if (envelope.id !== undefined) item.dataset.id = String(envelope.id);
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent =
      (envelope.id !== undefined ? '#' + envelope.id + ' ' : '') +
      name +
      (rooms.length ? ' [' + rooms.join(', ') + ']' : '') +
      ' ' +
      new Date().toLocaleTimeString();
    const body = document.createElement('pre');
    body.textContent = JSON.stringify(payload, null, 2);
    item.append(meta, body);
    item.hidden = !matchesFilter(item);
    $('events').prepend(item);
    while ($('events').children.length > 500) $('events').lastElementChild.remove();
  }

  function connect() {
    if (socket) socket.disconnect();
    joined.clear();
    showJoined();
    const auth = {};
    const token = $('token').value.trim();
    if (token) auth.token = token;
    const rooms = $('connect-rooms')
      .value.split(',')
      .map((room) => room.trim())
      .filter(Boolean);
    if (rooms.length) auth.rooms = rooms;
    const lastId = $('connect-last-id').value.trim();
    if (lastId) auth.last_event_id = lastId;
    const namespace = $('namespace').value;
    setStatus('connecting…', 'connecting');
    socket = window.io(location.origin + namespace, { auth, transports: ['websocket'] });
    socket.on('connect', () => {
      setStatus('connected to ' + namespace + ' as ' + socket.id, 'connected');
      $('disconnect').disabled = false;
      for (const room of rooms) joined.add(room);
      showJoined();
    });
    socket.on('connect_error', (error) => setStatus('refused: ' + error.message, 'error'));
    socket.on('disconnect', (reason) => {
      setStatus('disconnected (' + reason + ')', 'disconnected');
      $('disconnect').disabled = true;
    });
    socket.onAny(addEvent);
  }

  function init() {
    $('connect').addEventListener('click', connect);
    $('disconnect').addEventListener('click', () => socket && socket.disconnect());
    $('namespace').addEventListener('change', fillMessages);
    $('message').addEventListener('change', showExample);
    $('join').addEventListener('click', () => {
      const room = $('room').value.trim();
      emit('join_room', { room }).then((reply) => {
        if (reply && reply.ok) joined.add(room);
        showJoined();
      });
    });
    $('leave').addEventListener('click', () => {
      const room = $('room').value.trim();
      emit('leave_room', { room }).then((reply) => {
        if (reply && reply.ok) joined.delete(room);
        showJoined();
      });
    });
    $('replay').addEventListener('click', () => {
      const room = $('room').value.trim();
      emit('replay', { ...(room ? { room } : {}), after_id: $('replay-after').value.trim() });
    });
    $('send').addEventListener('click', () => {
      let payload;
      try {
        payload = JSON.parse($('payload').value || 'null');
      } catch (error) {
        showAck($('message').value, { error: 'invalid JSON: ' + error.message });
        return;
      }
      emit($('message').value, payload);
    });
    $('filter-type').addEventListener('change', applyFilter);
    $('filter-room').addEventListener('input', applyFilter);
    $('clear').addEventListener('click', () => ($('events').textContent = ''));
    fetch('/docs/asyncapi.json')
      .then((response) => response.json())
      .then((document) => {
        asyncapi = document;
        fillMessages();
      })
      .catch((error) => showAck('asyncapi', { error: String(error) }));
  }

  init();
})();
