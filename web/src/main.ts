import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { installBroker } from './lib/broker/install';

installBroker();

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');

export default mount(App, { target });
